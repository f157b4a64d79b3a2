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

import numpy as np

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

    #: names of datasets Keras writes in the layer's groups besides the numbered variables
    named_datasets = frozenset()

    def write_assets(self, layer):
        """``{file name relative to the layer's asset folder: text}`` (none for most)."""
        return {}

    def write_named(self, layer):
        """``{group relative to the layer: {dataset name: array}}`` (none for most)."""
        return {}

    def read_assets(self, layer, files, datasets, where):
        """Take the layer's state from its asset files (``{relative name: bytes}``, None when
        reading a weights file) and named datasets (``{relative key: array}``), after its
        weights; returns the asset names used (none for most layers)."""
        return set()

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
class EmbeddingLayer(KerasLayer):
    """Keras writes activity_regularizer=None into every Embedding config (neurona's has
    none). A LoRA-enabled Embedding is not written: Keras keeps such a layer's matrix merged
    with its update as one variable and rebuilds fresh low-rank factors on loading, which
    neither restores neurona's factors nor reads back in neurona (``lora_rank`` is refused)."""

    def __init__(self):
        super().__init__("Embedding", neutral={"activity_regularizer": (None,)})

    def config_to_keras(self, layer, config, write_layer=None):
        if layer.lora_enabled or layer.lora_rank:
            raise ValueError(f"Cannot save Embedding {layer.name!r} with LoRA (lora_rank="
                             f"{layer.lora_rank}) in a Keras file: Keras merges the update into "
                             "the matrix and starts new factors when loading; save the model "
                             "in neurona's format (.neurona) instead")
        return super().config_to_keras(layer, config, write_layer)


KERAS_LAYERS["Embedding"] = EmbeddingLayer()
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


# -- TextVectorization: the vocabulary as a text asset -----------------------------------------------
#: the file Keras's TextVectorization (and its inner StringLookup) keeps its vocabulary in
VOCABULARY_FILE = "vocabulary.txt"
#: where Keras's TextVectorization keeps its StringLookup, relative to the layer
LOOKUP_PATH = "_lookup_layer"


class TextVectorizationLayer(KerasLayer):
    """Keras keeps an adapted vocabulary out of the config, as the text file
    ``assets/<layer path>/vocabulary.txt`` (one token per line, the special tokens first),
    twice: once for the layer and once for its inner ``StringLookup``. A vocabulary given to
    the constructor stays in the config. In "tf_idf" mode the IDF weights (the OOV token's
    first) are also the dataset ``vars/idf_weights`` of both, which Keras reads back."""

    named_datasets = frozenset({"idf_weights"})

    def __init__(self):
        super().__init__("TextVectorization", write_without=("has_input_vocabulary",),
                         neutral={"sparse": (False,), "ragged": (False,),
                                  "vocabulary_size": ANY},
                         variables=lambda layer: [("", []), (LOOKUP_PATH, [])])

    def config_from_keras(self, cls, config, where, custom_objects=None, read_layer=None):
        settings = super().config_from_keras(cls, config, where, custom_objects, read_layer)
        if settings.get("output_mode", "int") == "one_hot":
            fail(where, "TextVectorization output_mode='one_hot' is not supported by neurona "
                        "(it has int, multi_hot, count and tf_idf)")
        # a vocabulary in Keras's config is the constructor's: the layer cannot adapt again
        settings["has_input_vocabulary"] = settings.get("vocabulary") is not None
        return settings

    def config_to_keras(self, layer, config, write_layer=None):
        out = super().config_to_keras(layer, config, write_layer)
        if self._in_assets(layer):
            out["vocabulary"] = out["idf_weights"] = None
        out.update(sparse=False, ragged=False,
                   vocabulary_size=layer.vocabulary_size())
        return out

    @staticmethod
    def _in_assets(layer):
        return not layer._has_input_vocabulary


    def write_assets(self, layer):
        """``{relative file name: text}`` of the layer's assets."""
        if not self._in_assets(layer):
            return {}
        text = "\n".join(layer.get_vocabulary(include_special_tokens=True))
        return {VOCABULARY_FILE: text, f"{LOOKUP_PATH}/{VOCABULARY_FILE}": text}

    def write_named(self, layer):
        if layer.output_mode != "tf_idf" or layer.idf_weights is None:
            return {}
        idf = {"idf_weights": np.asarray(layer.idf_weights)}  # padded as Keras writes them
        return {"": idf, LOOKUP_PATH: idf}

    def read_assets(self, layer, files, datasets, where):
        """Install the vocabulary of ``files`` (``{relative name: bytes}``: every asset the
        file holds under the layer's path) and, in "tf_idf" mode, the IDF weights of
        ``datasets``; returns the asset names it used."""
        idf = self._idf(layer, datasets, where)
        if layer._has_input_vocabulary or files is None:  # the config gave the vocabulary,
            if idf is not None:                           # or a weights file: the layer's own
                if layer._vocabulary is None:
                    fail(where, f"TextVectorization {layer.name!r} has no vocabulary to load "
                                "the file's idf_weights for; adapt it or set its vocabulary "
                                "first (a weights file holds no vocabulary)")
                tokens = layer.get_vocabulary(include_special_tokens=True)
                self._install(layer, tokens, idf[:len(tokens)], where)
            return set()
        expected = {VOCABULARY_FILE, f"{LOOKUP_PATH}/{VOCABULARY_FILE}"}
        if VOCABULARY_FILE not in files:
            fail(where, f"TextVectorization {layer.name!r} has no vocabulary: the file holds "
                        f"no asset {VOCABULARY_FILE!r} for it")
        texts = {}
        for name in sorted(expected & set(files)):
            try:
                texts[name] = files[name].decode("utf-8")
            except UnicodeDecodeError as err:
                fail(where, f"TextVectorization {layer.name!r}: its asset {name!r} is not UTF-8 "
                            f"text ({err})")
        if len(set(texts.values())) > 1:
            fail(where, f"TextVectorization {layer.name!r}: its two vocabulary assets differ")
        tokens = texts[VOCABULARY_FILE].splitlines()
        while tokens and tokens[-1] == "":  # Keras drops trailing empty lines too
            tokens.pop()
        self._install(layer, tokens, None if idf is None else idf[:len(tokens)], where)
        return set(texts)

    @staticmethod
    def _install(layer, tokens, idf, where):
        try:
            layer.set_vocabulary(tokens, idf)
        except ValueError as err:
            fail(where, f"TextVectorization {layer.name!r}: invalid vocabulary ({err})")

    @staticmethod
    def _idf(layer, datasets, where):
        """The IDF weights of a "tf_idf" layer (both copies, which must agree), else None."""
        if layer.output_mode != "tf_idf":
            return None
        copies = [datasets.get(f"{group}vars/idf_weights") for group in ("", LOOKUP_PATH + "/")]
        if copies[0] is None:
            fail(where, f"TextVectorization {layer.name!r} is in tf_idf mode but the file has "
                        "no vars/idf_weights for it")
        if copies[1] is not None and not np.array_equal(copies[0], copies[1]):
            fail(where, f"TextVectorization {layer.name!r}: its two idf_weights datasets differ")
        return np.asarray(copies[0], dtype=np.float64).reshape(-1)


KERAS_LAYERS["TextVectorization"] = TextVectorizationLayer()
