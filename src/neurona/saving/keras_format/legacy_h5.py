"""The legacy HDF5 format of Keras 2 / tf.keras (``model.save("m.h5")``), read as data.

A legacy file keeps the architecture as JSON in the root attribute ``model_config``, the
compile settings in ``training_config``, and each layer's weights under
``model_weights/<layer name>/<weight name>``, listed in order by the ``weight_names`` attribute
(a weights-only file, ``save_weights("w.h5")``, has the layers at the root). The same rules as
for ``.keras`` files apply (:mod:`.objects`, :mod:`.h5`); Keras 2's configs name built-in
objects without a ``module``, which is filled in from where they stand (``kernel_initializer``
is an initializer) before they are read.
"""

import os
import warnings

from ...layers.layer import checking_new_weights
from ...registry import pop_custom_objects, push_custom_objects
from ..archive import parse_json
from ..errors import ModelFileError
from .files import allocation_check, compile_model
from .h5 import read_h5
from .model_config import Reader
from .objects import FAMILY_MODULES
from .optimizer_state import restore_optimizer
from .weights import is_functional, is_sequential, keras_layers, keras_trainable_variables, \
    own_variables

_SUFFIX_MODULES = (("_initializer", "keras.initializers"), ("_regularizer", "keras.regularizers"),
                   ("_constraint", "keras.constraints"))
_MODELS = ("Sequential", "Functional", "Model")


def _modernize_object(value, module):
    if isinstance(value, dict) and "class_name" in value and "module" not in value:
        return dict(value, module=module)
    return value


def _modernize_layer(entry):
    """A Keras 2 layer entry with the ``module`` fields Keras 3 writes."""
    if not isinstance(entry, dict) or "class_name" not in entry:
        return entry
    entry = dict(entry)
    entry.setdefault("module", "keras" if entry["class_name"] in _MODELS else "keras.layers")
    config = entry.get("config")
    if isinstance(config, list):  # the oldest Sequential configs are the list of layers
        config = {"layers": config}
    if isinstance(config, dict):
        config = dict(config)
        for key, value in config.items():
            module = next((m for suffix, m in _SUFFIX_MODULES if key.endswith(suffix)), None)
            if module is not None:
                config[key] = _modernize_object(value, module)
        if isinstance(config.get("layers"), list):
            config["layers"] = [_modernize_layer(layer) for layer in config["layers"]]
        if entry["class_name"] != "InputLayer" and "batch_input_shape" in config:
            shape = config.pop("batch_input_shape")  # the first layer declared the input
            config["input_shape"] = shape[1:] if isinstance(shape, list) else shape
        entry["config"] = config
    return entry


def _json_attribute(attrs, name, where):
    text = attrs.get(name)
    if text is None:
        return None
    if not isinstance(text, str):
        raise ModelFileError(f"{where}: attribute {name!r} is not JSON text")
    return parse_json(text.encode("utf-8"), f"{where}[{name}]")


def legacy_weights(layer):
    """A layer's weights in the order Keras's legacy format lists them: trainable ones, then
    the others, each group in Keras's variable order over the layer and its sublayers."""
    found, seen = [], set()

    def visit(current):
        if id(current) in seen:
            return
        seen.add(id(current))
        found.extend(own_variables(current))
        children = keras_layers(current) if (is_sequential(current) or
                                             is_functional(current)) else current._sublayers
        for child in children:
            visit(child)

    visit(layer)
    unique = list({id(v): v for v in found}.values())
    return [v for v in unique if v.requires_grad] + [v for v in unique if not v.requires_grad]


def _assign(model, arrays, attrs, root, where, skip_mismatch=False):
    """Assign ``root``'s layer groups (``model_weights`` or the file's root) to ``model``,
    pairing the file's layers that hold weights with the model's, in order (Keras's rule for
    legacy files: the names may differ)."""
    names = attrs.get(root, {}).get("layer_names")
    if not isinstance(names, list):
        raise ModelFileError(f"{where}: no layer_names attribute at {root or '/'!r}; not a "
                             "Keras HDF5 weights file")
    stored = []
    for name in names:
        group = f"{root}/{name}" if root else name
        weights = [w for w in attrs.get(group, {}).get("weight_names", []) if isinstance(w, str)]
        if weights:
            stored.append((name, group, weights))
    layers = keras_layers(model) if (is_sequential(model) or is_functional(model)) \
        else model._sublayers
    layers = [layer for layer in layers if legacy_weights(layer)]
    if len(stored) != len(layers):
        raise ModelFileError(f"{where}: the file holds weights for {len(stored)} layers "
                             f"({[n for n, _, _ in stored]}), the model has {len(layers)} "
                             f"layers with weights ({[layer.name for layer in layers]})")
    assignments, skipped = [], []
    for (name, group, weight_names), layer in zip(stored, layers):
        variables = legacy_weights(layer)
        label = f"layer {layer.name!r} ({type(layer).__name__}, {name!r} in the file)"
        problem = None
        if len(weight_names) != len(variables):
            problem = f"expects {len(variables)} weights, the file has {len(weight_names)}"
        for variable, weight in zip(variables, weight_names):
            key = f"{group}/{weight}"
            if problem is None and key not in arrays:
                problem = f"weight {weight!r} is listed but absent"
            elif problem is None and arrays[key].shape != tuple(variable.shape):
                problem = (f"{weight!r} has shape {list(arrays[key].shape)} in the file, "
                           f"{list(variable.shape)} in the model")
        if problem is not None:
            if not skip_mismatch:
                raise ModelFileError(f"{where}: {label} {problem}")
            skipped.append(layer.name)
            continue
        assignments += [(v, arrays[f"{group}/{w}"]) for v, w in zip(variables, weight_names)]
    for variable, value in assignments:
        variable.assign(value.astype(variable.data.dtype, copy=False))
    return skipped


def _read(path):
    where = repr(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"No model file at {path!r}")
    with open(path, "rb") as stream:
        data = stream.read()
    arrays, attrs = read_h5(data, where, attributes=True)
    return where, arrays, attrs


def load_legacy_model(filepath, custom_objects=None, compile=True):  # noqa: A002
    """Load a legacy ``.h5`` model file (see :func:`neurona.saving.load_model`)."""
    from .. import serialization as S

    path = os.fspath(filepath)
    where, arrays, attrs = _read(path)
    root = attrs.get("", {})
    config = _json_attribute(root, "model_config", where)
    if config is None:
        raise ModelFileError(f"{where}: no model_config attribute: this HDF5 file holds only "
                             "weights; build the model in code and call model.load_weights()")
    push_custom_objects(custom_objects or {})
    try:
        reader = Reader(where, custom_objects)
        ours = reader.layer(_modernize_layer(config), where)
        with checking_new_weights(allocation_check(arrays, where)):
            model = S.model_from_config(ours, where)
        _assign(model, arrays, attrs, "model_weights", where)
        training = _json_attribute(root, "training_config", where)
        if compile and training:
            _compile_legacy(model, reader, training, arrays, attrs, where,
                            str(root.get("keras_version", "")))
    finally:
        pop_custom_objects()
    return model


def _compile_legacy(model, reader, training, arrays, attrs, where, version):
    training = dict(training)
    optimizer = training.pop("optimizer_config", None)
    if optimizer is not None:
        training["optimizer"] = _modernize_object(optimizer, FAMILY_MODULES["optimizer"])
    compile_model(model, reader.compile_config(training, where), where)
    names = attrs.get("optimizer_weights", {}).get("weight_names")
    if not names:
        return
    if not version.startswith("3."):
        warnings.warn(f"{where}: the optimizer state of this Keras {version or '2'} file is not "
                      "restored (its layout predates Keras 3); training restarts the optimizer",
                      UserWarning, stacklevel=4)
        return
    values = {i: arrays[f"optimizer_weights/{name}"] for i, name in enumerate(names)}
    restore_optimizer(model, values, keras_trainable_variables(model), where)


def load_legacy_weights(model, filepath, skip_mismatch=False):
    """Load the weights of a legacy ``.h5`` file (whole model or ``save_weights``)."""
    path = os.fspath(filepath)
    where, arrays, attrs = _read(path)
    root = "model_weights" if "model_weights" in attrs else ""
    return _assign(model, arrays, attrs, root, where, skip_mismatch=skip_mismatch)
