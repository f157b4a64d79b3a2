"""Which neurona layer each Keras 3 layer is, and how their configs and weights correspond.

One :class:`KerasLayer` entry per layer class, made with :func:`keras_layer`. Most layers share
Keras's name, arguments and weight layout, so an entry is one line; where Keras has arguments
neurona lacks, the entry lists the values that mean what neurona does (``neutral``): any other
value is refused with the layer's name and the argument, never dropped. A layer whose weights
Keras keeps somewhere else than ``<layer>/vars`` (an RNN's ``cell``) gives ``variables``.

Adding a layer that Keras also has is one call::

    keras_layer("GRU", variables=lambda layer: [("cell", rnn_cell_weights(layer))])

A neurona layer without an entry cannot be written to a ``.keras`` file (the error names it);
a Keras layer without one cannot be read.
"""

from ...layers.layer import LAYERS
from .objects import (ANY, activation_name, check_arguments, drop_neutral, fail, from_keras,
                      keras_activation, keras_object)

#: arguments Keras layers may carry that mean nothing to neurona at their default values
BASE_NEUTRAL = {"quantization_config": (None,), "lora_rank": (None,), "lora_alpha": ANY,
                "autocast": (True,)}
#: the family of nested objects in a layer's config, by the argument's name
_SUFFIX_FAMILIES = (("_initializer", "initializer"), ("_regularizer", "regularizer"),
                    ("_constraint", "constraint"))


class KerasLayer:
    """How one neurona layer class and its Keras 3 counterpart correspond.

    Args:
        name: the class name, in neurona's registry and in Keras.
        neutral: ``{Keras-only argument: accepted values}`` (``ANY`` when it has no effect).
        write_without: arguments of neurona's config that Keras's constructor does not take.
        read_without: arguments of Keras's config that mean something else to neurona's layer
            (which then keeps its default: an output dtype Keras derives otherwise).
        variables: ``variables(layer) -> [(relative path, [variables])]`` where Keras keeps the
            layer's weights other than in ``vars``; None for the usual place.
        sublayers: ``{config key: attribute}`` of a wrapper: the config key holds a serialized
            layer (or a list of them), the layer object that writes it is ``layer.<attribute>``.
        build_config: whether Keras can rebuild the layer from ``{"input_shape": ...}`` (False
            for layers whose ``build`` takes several shapes: Keras builds them when the model
            is called instead).
        cell_arguments: arguments the class passes on to a cell it builds (SimpleRNN, LSTM,
            GRU), which its own signature does not list.
    """

    def __init__(self, name, neutral=None, write_without=(), read_without=(), variables=None,
                 sublayers=None, build_config=True, cell_arguments=()):
        self.name = name
        self.neutral = dict(BASE_NEUTRAL, **(neutral or {}))
        self.write_without = frozenset(write_without)
        self.read_without = frozenset(read_without)
        self.variables = variables
        self.sublayers = dict(sublayers or {})
        self.build_config = build_config
        self.cell_arguments = frozenset(cell_arguments)

    def config_from_keras(self, cls, config, where, custom_objects=None, read_layer=None):
        """neurona's constructor arguments from a Keras layer config (``read_layer(entry,
        where)`` converts the serialized layers a wrapper holds)."""
        what = f"Keras {self.name} layer"
        config = dict(config or {})
        nested = {key: config.pop(key) for key in self.sublayers if key in config}
        settings = from_keras(config, where, custom_objects)
        if not isinstance(settings, dict):
            fail(where, f"{what}: its config must be an object")
        for key, entry in nested.items():
            if entry is None:
                settings[key] = None
            elif isinstance(entry, list):
                settings[key] = [read_layer(e, f"{where}.{key}") for e in entry]
            else:
                settings[key] = read_layer(entry, f"{where}.{key}")
        settings = {k: v for k, v in settings.items() if k not in self.read_without}
        settings = drop_neutral(settings, self.neutral, where, what)
        if isinstance(settings.get("activation"), str):  # Keras writes built-ins by name
            settings["activation"] = activation_name(settings["activation"], where)
        check_arguments(cls, {k: v for k, v in settings.items() if k not in self.cell_arguments},
                        where, what)
        return settings

    def config_to_keras(self, layer, config, write_layer=None):
        """A Keras layer config from neurona's ``layer.get_config()`` (``write_layer(layer)``
        serializes the layers a wrapper holds)."""
        where = f"layer {layer.name!r} ({type(layer).__name__})"
        out = {}
        for key, value in config.items():
            if key in self.write_without or key == "input_shape":
                continue  # the model's InputLayer carries the input shape, as Keras writes it
            if key in self.sublayers:
                held = getattr(layer, self.sublayers[key])
                value = None if held is None else [write_layer(h) for h in held] \
                    if isinstance(held, (list, tuple)) else write_layer(held)
            elif key == "activation":
                value = keras_activation(value, where)
            else:
                family = next((f for suffix, f in _SUFFIX_FAMILIES if key.endswith(suffix)), None)
                if family is not None:
                    value = keras_object(family, value)
            out[key] = value
        return out


#: neurona/Keras class name -> its entry
KERAS_LAYERS = {}


def keras_layer(name, **options):
    """Register how neurona's layer ``name`` maps to Keras's layer of the same name.

    Args:
        name: the class name (the same in both libraries).
        **options: see :class:`KerasLayer`.

    Returns:
        The new :class:`KerasLayer`.
    """
    entry = KerasLayer(name, **options)
    KERAS_LAYERS[name] = entry
    return entry


_CHANNELS_LAST = {"data_format": ("channels_last", None)}

for _name in ("Dense", "Activation", "Reshape", "Identity", "Add", "Subtract", "Multiply",
              "Average", "Maximum", "Minimum", "Concatenate", "ReLU", "LeakyReLU", "PReLU", "ELU",
              "Softmax", "Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout",
              "Conv1D", "Conv2D", "Conv2DTranspose", "MaxPooling1D", "MaxPooling2D",
              "AveragePooling1D", "AveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
              "GlobalAveragePooling1D", "GlobalAveragePooling2D", "Rescaling", "Flatten",
              "ActivityRegularization", "Conv1DTranspose", "Conv3D", "DepthwiseConv1D",
              "DepthwiseConv2D", "SeparableConv1D", "SeparableConv2D", "MaxPooling3D",
              "AveragePooling3D", "GlobalMaxPooling3D", "GlobalAveragePooling3D", "Cropping1D",
              "Cropping2D", "ZeroPadding1D", "ZeroPadding2D", "UpSampling1D", "UpSampling2D",
              "Permute", "RepeatVector", "GroupNormalization", "UnitNormalization",
              "Normalization", "Dot", "CategoryEncoding"):
    keras_layer(_name)
# Keras's dtype here is the compute dtype (the output is int64 for output_mode "int"),
# neurona's the output dtype; Keras's constructor takes no trainable
keras_layer("Discretization", write_without=("trainable", "dtype"), read_without=("dtype",))
for _name in ("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"):
    keras_layer(_name, write_without=("trainable",))  # Keras's constructor takes no trainable
for _name in ("RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation", "RandomContrast",
              "Resizing"):
    keras_layer(_name, neutral=_CHANNELS_LAST)
keras_layer("BatchNormalization", neutral={"renorm": (False,), "renorm_clipping": (None,),
                                           "renorm_momentum": ANY})
keras_layer("LayerNormalization", neutral={"rms_scaling": (False,)})
keras_layer("InputLayer", neutral={"sparse": (False,), "ragged": (False,), "optional": (False,)})
# -- sequences, text and attention ----------------------------------------------------------------
# Keras writes activity_regularizer=None into every Embedding config; neurona's Embedding has none
keras_layer("Embedding", neutral={"activity_regularizer": (None,)})
keras_layer("Masking")
for _name in ("SimpleRNNCell", "LSTMCell", "GRUCell"):
    keras_layer(_name)
for _name in ("SimpleRNN", "LSTM", "GRU"):
    keras_layer(_name, cell_arguments=LAYERS._entries[_name].cell_args)
keras_layer("RNN", sublayers={"cell": "cell"})
keras_layer("StackedRNNCells", sublayers={"cells": "cells"})
keras_layer("TimeDistributed", sublayers={"layer": "layer"})
# Keras's config holds the forward layer as "layer"
keras_layer("Bidirectional", sublayers={"layer": "forward_layer",
                                        "backward_layer": "backward_layer"})
keras_layer("Attention")
keras_layer("AdditiveAttention")
# Keras's MultiHeadAttention builds from the query's and the value's shapes: its build_config
# would need both; Keras builds it when the loaded model is called instead
keras_layer("MultiHeadAttention", build_config=False)
