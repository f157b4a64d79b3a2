"""What goes into a model file and how it comes back: architecture, compile settings, weights.

* Architecture: ``{"class_name", "config", "build_config"}`` with the class name resolved on
  load through :data:`neurona.layers.LAYERS` only (Sequential, functional ``Model`` and
  registered subclasses).
* Compile settings: optimizer, loss and metrics by registered name + config.
* Weights: ``{"<layer>/<weight>": array}`` with nested models as ``"<model>/<layer>/<weight>"``,
  plus the optimizer's state as ``"optimizer/<key>"`` so training continues exactly.
"""

import re
import warnings

import numpy as np

from ..layers.layer import LAYERS, Layer
from ..registry import registered_name, serialize
from .errors import ModelFileError

OPTIMIZER_PREFIX = "optimizer/"


# -- architecture ---------------------------------------------------------------------------------
def _serialized_layers(layer):
    """The layers whose configs appear in ``layer``'s own config (Sequential/functional)."""
    if hasattr(layer, "_stack"):  # a Sequential (it has a graph too, once built)
        return list(layer._stack)
    if getattr(layer, "_graph", None) is not None:
        return layer._graph.layers()
    return []


def check_registered(layer):
    """Raise a ValueError naming the fix if ``layer`` (or a layer in its config) cannot be
    rebuilt by name from the layer registry."""
    stack = [layer]
    while stack:
        current = stack.pop()
        # the name serialize() writes for it
        name = registered_name(type(current))
        if LAYERS.lookup(name) is not type(current):
            raise ValueError(
                f"Cannot save layer {current.name!r}: its class {type(current).__name__} is not "
                f"registered under {name!r}, so loading could not rebuild it. Decorate the class "
                "with @neurona.saving.register_keras_serializable() (and give it get_config), "
                "or save only the weights with model.save_weights()"
            )
        check_saveable = getattr(current, "check_saveable", None)  # e.g. a Lambda's function
        if check_saveable is not None:
            check_saveable()
        stack.extend(_serialized_layers(current))


def model_to_config(model):
    """``{"class_name", "config", "build_config"}`` of ``model``."""
    check_registered(model)
    config = serialize(model)
    shape = model._build_input_shape
    subclassed = getattr(model, "_graph", None) is None and not hasattr(model, "_stack")
    if subclassed and shape is not None:
        config["build_config"] = {"input_shape": _shape_to_json(shape)}
    return config


def _shape_to_json(shape):
    if isinstance(shape, tuple):
        return [None if n is None else int(n) for n in shape]
    return [_shape_to_json(s) for s in shape]


def _shape_from_json(value, where):
    if isinstance(value, list) and all(n is None or type(n) is int for n in value):
        return tuple(value)
    if isinstance(value, list) and value and all(isinstance(s, list) for s in value):
        return [_shape_from_json(s, where) for s in value]
    raise ModelFileError(f"{where}: invalid build input shape {value!r}")


def model_from_config(config, where):
    """Build the model described by :func:`model_to_config` (weights freshly initialized)."""
    from ..models.model import Model

    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ModelFileError(f"{where}: config.json has no valid 'model' entry with a class_name")
    cls = LAYERS.lookup(config["class_name"])
    if cls is None:
        raise ModelFileError(
            f"{where}: {LAYERS.unknown_message(config['class_name'])}. A custom class must be "
            f"registered in this process before loading: "
            f"@neurona.saving.register_keras_serializable() or load_model(..., "
            f"custom_objects={{name: cls}})")
    if not (isinstance(cls, type) and issubclass(cls, Model)):
        raise ModelFileError(f"{where}: the top-level object is a {config['class_name']!r}, not a "
                             "model")
    try:
        model = LAYERS.from_config({"class_name": config["class_name"],
                                    "config": config.get("config") or {}})
        build = config.get("build_config")
        if build is not None and not model.built:
            if not isinstance(build, dict):
                raise ModelFileError(f"{where}: build_config must be an object")
            model.build(_shape_from_json(build.get("input_shape"), where))
    except ModelFileError:
        raise
    except Exception as err:  # any constructor may object to a tampered config
        hint = (" Register custom layer classes in this process before loading "
                "(@neurona.saving.register_keras_serializable() or load_model(..., "
                "custom_objects=...))"
                if str(err).startswith("Unknown layer") else "")
        raise ModelFileError(f"{where}: cannot rebuild the model from its config: "
                             f"{type(err).__name__}: {err}.{hint}") from err
    return model


# -- compile settings -----------------------------------------------------------------------------
def compile_to_config(model):
    """The compile arguments of ``model`` as JSON (None when not compiled): the optimizer and
    the loss, loss_weights, metrics and weighted_metrics structures as they were given."""
    from .. import metrics, optimizers
    from ..metrics.base import metric_functions

    if not getattr(model, "compiled", False):
        return None
    try:
        config = model._compiled.get_config()
    except TypeError as err:
        raise ValueError(f"Cannot save the compile settings of model {model.name!r}: "
                         f"{err}") from None
    for metric, _ in model._metric_specs:
        serialized = metrics.serialize(metric)
        settings = (serialized.get("config") or {}) if isinstance(serialized, dict) else {}
        fn = getattr(metric, "_fn", None)  # a MeanMetricWrapper names its function by "fn"
        if "fn" in settings and metric_functions.lookup(settings["fn"] or "") is not fn:
            raise ValueError(f"Cannot save metric {metric.name!r}: it wraps the unregistered "
                             f"function {fn!r}, which a file cannot name safely; subclass "
                             "neurona.metrics.Metric (registered) instead")
    return {"optimizer": optimizers.serialize(model.optimizer), **config}


def compile_from_config(model, config, where):
    """Compile ``model`` as described by :func:`compile_to_config`'s output (files written
    before several outputs existed, with ``loss_weight`` and flat metric lists, load too)."""
    from .. import optimizers
    from ..models.compile_utils import deserialize_argument

    if not isinstance(config, dict):
        raise ModelFileError(f"{where}: the 'compile' entry must be an object")
    try:
        optimizer = optimizers.deserialize(config["optimizer"])
        loss = deserialize_argument(config["loss"], "loss")
        weights = config.get("loss_weights", config.get("loss_weight"))
        model.compile(optimizer=optimizer, loss=loss, loss_weights=weights,
                      metrics=deserialize_argument(config.get("metrics") or None, "metric"),
                      weighted_metrics=deserialize_argument(config.get("weighted_metrics")
                                                            or None, "metric"))
    except Exception as err:
        raise ModelFileError(f"{where}: cannot restore the compile settings: "
                             f"{type(err).__name__}: {err}") from err


#: numbers a model built from a file may allocate beyond what the file's weights hold
_ALLOCATION_SLACK = 1 << 16


def allocation_check(arrays, where):
    """The check run before each new weight while a model is built from a file's config: the
    model may not allocate more numbers than the file's weights hold (a tampered config with
    huge layer sizes fails before allocating, not after gigabytes)."""
    budget = sum(int(np.size(a)) for k, a in arrays.items()
                 if not k.startswith(OPTIMIZER_PREFIX))
    budget += _ALLOCATION_SLACK
    allocated = [0]

    def check(layer, shape, dtype):
        size = int(np.prod(shape, dtype=object))
        allocated[0] += size
        if allocated[0] > budget:
            raise ModelFileError(
                f"{where}: layer {layer.name!r} ({type(layer).__name__}) would create a weight "
                f"of shape {list(shape)} ({size} numbers), beyond the {budget} numbers the "
                "file's weights hold; its config does not match its weights (refused before "
                "allocating)")

    return check


# -- weights --------------------------------------------------------------------------------------
def weight_map(model):
    """``{key: variable}`` for every weight of ``model``; keys are layer paths like
    ``"dense/kernel"`` (``"inner_model/dense/kernel"`` inside nested models, ``"hidden/kernel"``
    for a subclassed model's attribute ``self.hidden``).

    Raises:
        ValueError: two weights would share a key (give the layers unique names).
    """
    out, seen_layers, seen_vars = {}, set(), set()

    def visit(layer, prefix):
        if id(layer) in seen_layers:
            return
        seen_layers.add(id(layer))
        for i, variable in enumerate(layer._own_weights):
            if id(variable) in seen_vars:
                continue
            seen_vars.add(id(variable))
            key = prefix + (variable.name or f"variable_{i}")
            if key in out or key.startswith(OPTIMIZER_PREFIX):
                raise ValueError(f"Cannot save model {model.name!r}: two weights map to the key "
                                 f"{key!r} (or it clashes with the optimizer's); give layers "
                                 "unique names")
            out[key] = variable
        for sub, name in _children(layer):
            visit(sub, f"{prefix}{name}/")

    visit(model, "")
    return out


def _children(layer):
    """``(sublayer, key)`` pairs. Sequential and functional models key by layer name (the names
    are in the config); other layers by the attribute holding the sublayer (``"hidden"``,
    ``"blocks/0"``), which stays the same when the class is instantiated again, unlike
    automatic names such as ``"dense_7"``."""
    if getattr(layer, "_graph", None) is not None or hasattr(layer, "_stack"):
        return [(sub, sub.name) for sub in layer._sublayers]
    attrs = {}
    for attr, value in vars(layer).items():
        if attr.startswith("_"):
            continue
        items = (value.items() if isinstance(value, dict) else enumerate(value)
                 if isinstance(value, (list, tuple)) else [(None, value)])
        for key, item in items:
            if isinstance(item, Layer):
                attrs.setdefault(id(item), attr if key is None else f"{attr}/{key}")
    return [(sub, attrs.get(id(sub), sub.name)) for sub in layer._sublayers]


def weight_arrays(model):
    """``{key: NumPy array}`` of the model's weights."""
    return {key: np.asarray(v.numpy()) for key, v in weight_map(model).items()}


def optimizer_arrays(optimizer):
    """The optimizer's state as ``{"optimizer/<key>": array}`` (ints as int64 scalars)."""
    out = {}
    for key, value in optimizer.get_state().items():
        array = np.asarray(value, dtype=np.int64) if isinstance(value, int) else np.asarray(value)
        out[OPTIMIZER_PREFIX + key] = array
    return out


def assign_weights(model, arrays, where, skip_mismatch=False, say_renamed=True):
    """Check every array against the model's weights, then assign them all.

    Args:
        model: the built model.
        arrays: ``{key: array}`` (keys under ``optimizer/`` are ignored here).
        where: how messages name the file.
        skip_mismatch: leave weights whose shape or dtype differs untouched instead of raising.
        say_renamed: warn when the names differ only by automatic suffixes (``dense_2`` for
            ``dense``: a model built again in the same process) and the weights are matched by
            structure instead; False where the caller checked the structure itself.

    Returns:
        The keys skipped because of a mismatch.
    """
    targets = weight_map(model)
    present = {k for k in arrays if not k.startswith(OPTIMIZER_PREFIX)}
    missing, extra = sorted(set(targets) - present), sorted(present - set(targets))
    renamed = _match_by_structure(targets, arrays, present) if missing or extra else None
    if renamed is not None and say_renamed:
        warnings.warn(f"{where}: the weight names differ from the model's only by automatic "
                      f"suffixes (e.g. {renamed[missing[0]]!r} in the file for {missing[0]!r}, "
                      f"a model built again in the same process); matched by structure: layer "
                      f"order and weight shapes, as Keras does", UserWarning, stacklevel=3)
    if renamed is not None:
        arrays = {key: arrays[renamed.get(key, key)] for key in targets}
        missing = extra = []
    if missing or extra:
        raise ModelFileError(f"{where}: the weights do not match the model's architecture; "
                             f"missing {missing[:10]}{' ...' if len(missing) > 10 else ''}, "
                             f"unexpected {extra[:10]}{' ...' if len(extra) > 10 else ''}")
    skipped = []
    for key, variable in targets.items():
        array, expected = arrays[key], tuple(variable.shape)
        dtype = np.dtype(variable.data.dtype)
        if array.shape != expected or array.dtype != dtype:
            if not skip_mismatch:
                raise ModelFileError(f"{where}: weight {key!r} is {array.dtype}{list(array.shape)} "
                                     f"in the file but {dtype}{list(expected)} in the model")
            skipped.append(key)
    for key, variable in targets.items():
        if key not in skipped:
            variable.assign(arrays[key])
    return skipped


_AUTO_SUFFIX = re.compile(r"^(.*?)_(\d+)$")


def unsuffixed_key(key):
    """``key`` without automatic suffixes (``"dense_2/kernel"`` -> ``"dense/kernel"``)."""
    return _unsuffixed(key)[0]


def _unsuffixed(key):
    """``key`` without the automatic suffix of each path segment (``"dense_2/kernel"`` ->
    ``"dense/kernel"``), and the suffixes (0 for none) that order the copies of one name."""
    bases, numbers = [], []
    for segment in key.split("/"):
        found = _AUTO_SUFFIX.match(segment)
        bases.append(found.group(1) if found else segment)
        numbers.append(int(found.group(2)) if found else 0)
    return "/".join(bases), tuple(numbers)


def _match_by_structure(targets, arrays, present):
    """``{model key: file key}`` when the two sets of names differ only by automatic suffixes:
    the copies of each unsuffixed name pair up in creation order (the suffix counts up) and
    every pair has the same shape; None when they do not."""
    groups = {}
    for side, keys in (("model", targets), ("file", present)):
        for key in keys:
            base, numbers = _unsuffixed(key)
            groups.setdefault(base, {"model": [], "file": []})[side].append((numbers, key))
    renamed = {}
    for base, sides in groups.items():
        if len(sides["model"]) != len(sides["file"]):
            return None
        for (_, mine), (_, theirs) in zip(sorted(sides["model"]), sorted(sides["file"])):
            if tuple(targets[mine].shape) != np.shape(arrays[theirs]):
                return None
            renamed[mine] = theirs
    return renamed


def restore_optimizer(model, arrays, where):
    """Set the compiled optimizer's state (iterations, learning rate, slots) from ``arrays``."""
    optimizer = model.optimizer
    state = {k[len(OPTIMIZER_PREFIX):]: v for k, v in arrays.items()
             if k.startswith(OPTIMIZER_PREFIX)}
    if not state:
        return
    if any("/" in key for key in state):  # slots exist: build on the same variables as fit
        optimizer.build(model.trainable_weights)
    expected = {k: np.asarray(v) for k, v in optimizer.get_state().items()}
    if set(state) != set(expected):
        raise ModelFileError(f"{where}: the optimizer state does not match "
                             f"{type(optimizer).__name__} on this model; missing "
                             f"{sorted(set(expected) - set(state))}, unexpected "
                             f"{sorted(set(state) - set(expected))}")
    for key, value in state.items():
        want = expected[key]
        kind_ok = (value.dtype.kind in "iu") if key == "iterations" else value.dtype == want.dtype
        if value.shape != want.shape or not kind_ok:
            raise ModelFileError(f"{where}: optimizer state {key!r} is {value.dtype}"
                                 f"{list(value.shape)}, expected {want.dtype}{list(want.shape)}")
    state["iterations"] = int(state["iterations"])
    try:
        optimizer.set_state(state)
    except ValueError as err:
        raise ModelFileError(f"{where}: invalid optimizer state: {err}") from err
