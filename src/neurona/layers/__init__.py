"""Layers: ``from neurona import layers``; Keras names and arguments."""

from .layer import Layer, InputSpec, LAYERS, register_layer
from .input_layer import Input, InputLayer
from .core import Dense, Flatten, Reshape, Identity
from .merging import (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, add,
                      subtract, multiply, average, maximum, minimum, concatenate, dot)
from .activation import *  # noqa: F401,F403  (Activation, ReLU, LeakyReLU, PReLU, ELU, Softmax, RReLU)
from .regularization import *  # noqa: F401,F403  (Dropout, SpatialDropout1D/2D/3D, GaussianNoise, ...)
from .normalization import *  # noqa: F401,F403  (BatchNormalization, LayerNormalization)
from .conv import *  # noqa: F401,F403  (Conv1D, Conv2D, Conv2DTranspose)
from .pooling import *  # noqa: F401,F403  (Max/Average/MinPooling1D/2D, Global...Pooling1D/2D)
from .augmentation import *  # noqa: F401,F403  (RandomFlip, RandomRotation, RandomZoom, ...)
from .preprocessing import *  # noqa: F401,F403  (Rescaling, Resizing)
from .conv_variants import *  # noqa: F401,F403  (Conv3D, Conv1DTranspose, Depthwise/SeparableConv)
from .pooling3d import *  # noqa: F401,F403  (Max/AveragePooling3D, Global...Pooling3D)
from .reshaping import *  # noqa: F401,F403  (RepeatVector, Permute, UpSampling, ZeroPadding, ...)
from .lambda_layer import Lambda, register_lambda_function
from .activity_regularization import ActivityRegularization
from .group_normalization import GroupNormalization, UnitNormalization
from .numeric import Normalization, Discretization
from .lookup import CategoryEncoding, StringLookup, IntegerLookup
from .hashing import Hashing, HashedCrossing
from .embedding import *  # noqa: F401,F403  (Embedding, Masking)
from .recurrent_cells import *  # noqa: F401,F403  (SimpleRNNCell, LSTMCell, GRUCell, ...)
from .recurrent import *  # noqa: F401,F403  (RNN, SimpleRNN, LSTM, GRU)
from .wrappers import *  # noqa: F401,F403  (Bidirectional, TimeDistributed)
from .multi_head_attention import *  # noqa: F401,F403  (MultiHeadAttention)
from .attention import *  # noqa: F401,F403  (Attention, AdditiveAttention)
from .text import *  # noqa: F401,F403  (TextVectorization)


def get(identifier):
    """A layer class (or instance from a config dict) by registered name."""
    return LAYERS.get(identifier, instantiate=False)


def serialize(layer):
    """A layer as Keras 3 serializes it: ``{"module", "class_name", "config",
    "registered_name", "build_config"}`` (``keras.layers.serialize``).

    Example:
        >>> serialize(Dense(2))["class_name"]
        'Dense'
    """
    from ..saving.serialization_lib import serialize_layer  # saving builds on layers

    return serialize_layer(layer)


def deserialize(config, custom_objects=None):
    """A layer from :func:`serialize`'s output (or Keras's, or neurona's own
    ``{"class_name", "config"}``); names resolve only to neurona's layers and registered or
    given custom classes (``keras.layers.deserialize``).

    Example:
        >>> deserialize(serialize(Dense(2))).units
        2
    """
    from ..saving.serialization_lib import deserialize_layer

    return deserialize_layer(config, custom_objects=custom_objects)
