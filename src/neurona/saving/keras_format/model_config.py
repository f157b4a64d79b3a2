"""Keras 3's ``config.json`` model description and neurona's model configs, both ways.

Reading turns Keras's nested ``{"module", "class_name", "config", "registered_name"}`` tree into
the configs neurona's own loader builds from (``Sequential.from_config`` and
``functional_from_config``): every layer through :data:`~.layer_map.KERAS_LAYERS` or the user's
registered classes, every functional connection (``__keras_tensor__`` with its
``keras_history``) into neurona's ``__tensor__`` references. Writing goes the other way from a
built model.
"""

import numpy as np

from ...layers.input_layer import InputLayer
from ...layers.layer import LAYERS
from ...layers.symbolic import SymbolicTensor
from ...registry import custom_object, registered_name
from .layer_map import KERAS_LAYERS
from .objects import (check_builtin_name, custom_config, fail, family_of_module, from_keras,
                      keras_object, refuse_unregistered, resolve_custom)
from .weights import is_functional, is_sequential, keras_layers

#: the most numbers one input sample may have (an absurd declared input shape is refused
#: before anything is built on it)
MAX_SAMPLE_ELEMENTS = 1 << 28
FUNCTIONAL_MODULE = "keras.src.models.functional"
_TENSOR, _DICT = "__tensor__", "__dict__"


# -- reading --------------------------------------------------------------------------------------
class Reader:
    """Converts one file's Keras config; remembers each functional model's layer order."""

    def __init__(self, where, custom_objects=None):
        self.where = where
        self.custom_objects = custom_objects or {}
        self.orders = {}  # functional model name -> layer names in the file's order
        self.class_names = {}  # custom layer name -> the class name the file gives it

    def layer(self, entry, context):
        """neurona's ``{"class_name", "config"}`` for one serialized Keras layer."""
        if not isinstance(entry, dict) or not isinstance(entry.get("class_name"), str):
            fail(context, f"a layer must be an object with a class_name, got {str(entry)[:80]}")
        name, module = entry["class_name"], entry.get("module")
        config = entry.get("config")
        if not isinstance(config, dict):
            fail(context, f"layer class {name!r} has no config object")
        label = config.get("name")
        where = f"{context} layer {label!r} ({name})" if isinstance(label, str) else \
            f"{context} layer ({name})"
        if name in ("Lambda", "__lambda__") or "function_type" in config:
            fail(where, "a Lambda layer holds Python bytecode or a function reference; neurona "
                        "never runs code from a file. Rewrite it as a registered layer class")
        custom = resolve_custom(entry, where, self.custom_objects)
        if custom is not None:
            return self._custom(custom, entry, where)
        if family_of_module(module) not in ("layer", "keras"):
            refuse_unregistered(entry, where)
        check_builtin_name(entry, where)
        if name == "Sequential":
            return {"class_name": "Sequential", "config": self.sequential(config, where)}
        if name in ("Functional", "Model"):
            if not {"layers", "input_layers", "output_layers"} <= set(config):
                fail(where, "a Model without layers and connections (a subclassed model) must "
                            "be registered: @neurona.saving.register_keras_serializable()")
            return {"class_name": "Model", "config": self.functional(config, where)}
        spec = KERAS_LAYERS.get(name)
        cls = LAYERS._entries.get(name)
        if spec is None or cls is None:
            fail(where, f"Keras layer class {name!r} has no neurona equivalent; neurona reads "
                        f"{', '.join(sorted(KERAS_LAYERS))}, Sequential and functional models "
                        "and registered custom classes")
        settings = spec.config_from_keras(cls, config, where, self.custom_objects, self.layer)
        if name == "InputLayer":
            settings = _input_layer(settings, where)
        return {"class_name": name, "config": settings}

    def _custom(self, custom, entry, where):
        from ...layers.layer import Layer

        if not (isinstance(custom, type) and issubclass(custom, Layer)):
            fail(where, f"{entry['class_name']!r} resolves to {custom!r}, which is not a layer "
                        "class")
        key = next(n for n in (entry.get("registered_name"), entry["class_name"])
                   if isinstance(n, str) and (custom_object(n) is custom or
                                              self.custom_objects.get(n) is custom))
        out = {"class_name": key, "config": custom_config(entry["config"], where)}
        if isinstance(entry["config"].get("name"), str):
            self.class_names[entry["config"]["name"]] = entry["class_name"]
        build = entry.get("build_config")
        if isinstance(build, dict) and build.get("input_shape") is not None:
            out["build_config"] = {"input_shape": _checked_shape(build["input_shape"], where,
                                                                 batch=True)}
        return out

    def sequential(self, config, where):
        layers = config.get("layers")
        if not isinstance(layers, list):
            fail(where, "a Sequential config needs a list of layers")
        converted = [self.layer(entry, where) for entry in layers]
        out = {"name": config.get("name"), "trainable": config.get("trainable", True),
               "layers": converted}
        shape = config.get("build_input_shape")
        starts_with_input = bool(converted) and converted[0]["class_name"] == "InputLayer"
        if shape is not None and not starts_with_input:
            out["build_input_shape"] = _checked_shape(shape, where, batch=True)
        return out

    def functional(self, config, where):
        layers = config.get("layers")
        if not isinstance(layers, list):
            fail(where, "a functional config needs a list of layers")
        converted, names = [], []
        for entry in layers:
            if not isinstance(entry, dict):
                fail(where, "each layer of a functional model must be an object")
            layer = self.layer(entry, where)
            name = entry.get("name", (entry.get("config") or {}).get("name"))
            nodes = entry.get("inbound_nodes", [])
            if not isinstance(name, str) or not isinstance(nodes, list):
                fail(where, f"a functional layer needs a name and a list of inbound_nodes, got "
                            f"{str(entry)[:80]}")
            label = f"{where} layer {name!r}"
            layer.pop("build_config", None)
            converted.append(dict(layer, name=name,
                                  inbound_nodes=[self.node(n, label) for n in nodes]))
            names.append(name)
        model_name = config.get("name")
        self.orders[model_name] = None if model_name in self.orders else names  # ambiguous: drop
        return {"name": model_name, "trainable": config.get("trainable", True),
                "layers": converted, "input_layers": _ends(config["input_layers"], where),
                "output_layers": _ends(config["output_layers"], where)}

    def node(self, node, where):
        """One call of a layer: Keras 3's ``{"args", "kwargs"}`` or Keras 2's list of
        ``[layer, node, tensor, kwargs]`` entries, as neurona's ``{"inputs", "args",
        "kwargs"}``."""
        if isinstance(node, list):  # Keras 2 (legacy .h5 files)
            refs, kwargs = [], {}
            for item in node:
                if not (isinstance(item, list) and len(item) in (3, 4)):
                    fail(where, f"invalid inbound node {str(node)[:80]}")
                refs.append({_TENSOR: list(item[:3])})
                if len(item) == 4 and isinstance(item[3], dict):
                    kwargs.update(item[3])
            inputs = refs[0] if len(refs) == 1 else refs
            return {"inputs": inputs, "args": [], "kwargs": self._kwargs(kwargs, where)}
        if not isinstance(node, dict) or not isinstance(node.get("args"), list) \
                or not node["args"]:
            fail(where, f"invalid inbound node {str(node)[:80]}")
        args = [self.value(a, where) for a in node["args"]]
        return {"inputs": args[0], "args": args[1:],
                "kwargs": self._kwargs(node.get("kwargs") or {}, where)}

    def compile_config(self, config, where):
        """``model.compile`` arguments from Keras's ``compile_config``."""
        where = f"{where} compile_config"
        if not isinstance(config, dict):
            fail(where, "must be an object")
        out = {}
        for key, value in config.items():
            if key in ("optimizer", "loss", "metrics", "weighted_metrics", "loss_weights"):
                out[key] = from_keras(value, f"{where}.{key}", self.custom_objects)
            elif key in ("run_eagerly", "steps_per_execution", "jit_compile",
                         "auto_scale_loss"):
                out[key] = value  # how Keras runs the step; neurona's compile decides
            else:
                fail(where, f"unknown compile argument {key!r}")
        return out

    def _kwargs(self, kwargs, where):
        if not isinstance(kwargs, dict):
            fail(where, "a node's kwargs must be an object")
        # Keras records mask=None on calls of nested models; neurona layers take no masks
        return {k: self.value(v, where) for k, v in kwargs.items()
                if not (k == "mask" and v is None)}

    def value(self, value, where):
        """A call argument: tensors as references, structures item by item."""
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            history = (value.get("config") or {}).get("keras_history")
            if not _is_ref(history):
                fail(where, f"invalid tensor reference {str(value)[:80]}")
            return {_TENSOR: list(history)}
        if isinstance(value, list):
            return [self.value(v, where) for v in value]
        if isinstance(value, dict):
            if "class_name" in value:
                return from_keras(value, where, self.custom_objects)
            return {_DICT: {k: self.value(v, where) for k, v in value.items()}}
        return value


def _is_ref(value):
    return (isinstance(value, list) and len(value) == 3 and isinstance(value[0], str)
            and all(type(n) is int for n in value[1:]))


def _ends(value, where):
    if _is_ref(value):
        return {_TENSOR: value}
    if isinstance(value, list) and all(_is_ref(v) for v in value):
        return [{_TENSOR: v} for v in value]
    if isinstance(value, dict) and all(_is_ref(v) for v in value.values()):
        return {_DICT: {k: {_TENSOR: v} for k, v in value.items()}}
    fail(where, f"invalid model inputs or outputs {str(value)[:80]}")


def _checked_shape(shape, where, batch):
    """A declared shape as a list, after checking it is small enough to build."""
    if not isinstance(shape, (list, tuple)) or not all(
            n is None or (type(n) is int and n > 0) for n in shape):
        fail(where, f"invalid shape {str(shape)[:80]}")
    sample = shape[1:] if batch else shape
    elements = int(np.prod([n or 1 for n in sample], dtype=object))
    if elements > MAX_SAMPLE_ELEMENTS:
        fail(where, f"declares inputs of shape {list(shape)} ({elements} numbers per sample, "
                    f"more than {MAX_SAMPLE_ELEMENTS}); refused before building anything")
    return list(shape)


def _input_layer(settings, where):
    if "batch_input_shape" in settings:  # Keras 2
        settings["batch_shape"] = settings.pop("batch_input_shape")
    if "batch_shape" in settings:
        settings["batch_shape"] = _checked_shape(settings["batch_shape"], where, batch=True)
    elif "shape" in settings:
        settings["shape"] = _checked_shape(settings["shape"], where, batch=False)
    return settings


# -- writing --------------------------------------------------------------------------------------
def layer_to_keras(layer):
    """The serialized Keras object of a neurona layer or model (see the module docstring).

    Raises:
        ValueError: a layer Keras has no class for, or an unregistered custom class.
    """
    if is_sequential(layer):
        return _sequential_to_keras(layer)
    if is_functional(layer):
        return _functional_to_keras(layer)
    cls = type(layer)
    name = cls.__name__
    builtin = LAYERS._entries.get(name) is cls and cls.__module__.startswith("neurona.")
    if builtin:
        spec = KERAS_LAYERS.get(name)
        if spec is None:
            raise ValueError(f"Cannot save layer {layer.name!r} in a Keras file: Keras 3 has no "
                             f"{name} layer, so Keras could not load it; save the model in "
                             "neurona's format (a .neurona file) instead")
        out = {"module": "keras.layers", "class_name": name,
               "config": spec.config_to_keras(layer, layer.get_config(), layer_to_keras),
               "registered_name": None}
    else:
        key = registered_name(cls)
        if LAYERS.lookup(key) is not cls:
            # as Keras: the file names the class; loading it needs custom_objects={name: cls}
            # (or the class registered), since a file never brings code of its own
            key = name
        out = {"module": cls.__module__, "class_name": name, "config": layer.get_config(),
               "registered_name": key}
    spec = KERAS_LAYERS.get(name) if builtin else None
    rebuildable = spec is None or spec.build_config
    if layer.built and layer._build_input_shape is not None and rebuildable:
        out["build_config"] = {"input_shape": _json_shape(layer._build_input_shape)}
    return out


def _json_shape(shape):
    if isinstance(shape, tuple):
        return [None if n is None else int(n) for n in shape]
    if isinstance(shape, dict):
        return {k: _json_shape(v) for k, v in shape.items()}
    return [_json_shape(s) for s in shape]


def _sequential_to_keras(model):
    layers = [layer_to_keras(layer) for layer in model._stack]
    config = {"name": model.name, "trainable": model.trainable, "dtype": model.dtype}
    out = {"module": "keras", "class_name": "Sequential", "registered_name": None}
    if model.built:
        shape = _json_shape(model._build_input_shape)
        layers.insert(0, {"module": "keras.layers", "class_name": "InputLayer",
                          "config": {"batch_shape": shape, "dtype": _input_dtype(model),
                                     "name": f"{model.name}_input"},
                          "registered_name": None})
        config["build_input_shape"] = shape
        out["build_config"] = {"input_shape": shape}
    config["layers"] = layers
    out["config"] = config
    return out


def _input_dtype(model):
    """A Sequential's input dtype: its Input's (``"string"`` for text), else the model's."""
    layer = getattr(model, "_input_layer", None)
    return model.dtype if layer is None else layer.dtype


def _functional_to_keras(model):
    graph = model._graph
    node_index, per_layer = {}, {}
    for node in graph.nodes:  # a layer's calls in this graph, numbered in call order
        per_layer.setdefault(id(node.layer), []).append(node)
    for nodes in per_layer.values():
        called = {id(n): i for i, n in enumerate(nodes[0].layer._inbound_nodes)}
        for i, node in enumerate(sorted(nodes, key=lambda n: called.get(id(n), -1))):
            node_index[id(node)] = i

    def tensor(t):
        return {"class_name": "__keras_tensor__",
                "config": {"shape": _json_shape(t.shape), "dtype": t.dtype,
                           "keras_history": [t.node.layer.name, node_index[id(t.node)], t.index]}}

    def encode(value):
        if isinstance(value, SymbolicTensor):
            return tensor(value)
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    def ref(t):
        return [t.node.layer.name, node_index[id(t.node)], t.index]

    layers, names = [], set()
    for layer in keras_layers(model):
        if layer.name in names:
            raise ValueError(f"Model {model.name!r} has two layers named {layer.name!r}; layer "
                             "names must be unique to save the model (pass name=...)")
        names.add(layer.name)
        if isinstance(layer, InputLayer):
            entry = {"module": "keras.layers", "class_name": "InputLayer",
                     "config": {"batch_shape": [layer.batch_size, *layer.shape],
                                "dtype": layer.dtype, "name": layer.name},
                     "registered_name": None, "inbound_nodes": []}
        else:
            entry = layer_to_keras(layer)
            nodes = sorted(per_layer[id(layer)], key=lambda n: node_index[id(n)])
            entry["inbound_nodes"] = [{"args": encode([n.inputs, *n.args]),
                                       "kwargs": encode(dict(n.kwargs))} for n in nodes]
        entry["name"] = layer.name
        layers.append(entry)

    def ends(tensors, kind, keys):
        if kind == "single":
            return ref(tensors[0])
        if kind == "dict":
            return {k: ref(t) for k, t in zip(keys, tensors)}
        return [ref(t) for t in tensors]

    config = {"name": model.name, "trainable": model.trainable, "layers": layers,
              "input_layers": ends(graph.inputs, graph.input_kind, graph.input_names),
              "output_layers": ends(graph.outputs, graph.output_kind, graph.output_names)}
    return {"module": FUNCTIONAL_MODULE, "class_name": "Functional", "config": config,
            "registered_name": "Functional", "build_config": {"input_shape": None}}


def compile_to_keras(model):
    """Keras's ``compile_config`` of a compiled neurona model (None when not compiled)."""
    from ... import losses, metrics, optimizers

    if not getattr(model, "compiled", False):
        return None
    loss = keras_object("loss", losses.serialize(model.loss))  # with its settings
    groups = {False: [], True: []}
    for metric, weighted in model._metric_specs:
        serialized = metrics.serialize(metric)
        fn = (serialized.get("config") or {}).get("fn") if isinstance(serialized, dict) else None
        groups[weighted].append(fn if isinstance(fn, str) else keras_object("metric", serialized))
    weight = getattr(model, "_loss_weight", 1.0)
    return {"optimizer": keras_object("optimizer", optimizers.serialize(model.optimizer)),
            "loss": loss, "loss_weights": None if weight == 1.0 else weight,
            "metrics": groups[False] or None, "weighted_metrics": groups[True] or None}


def model_to_keras(model):
    """The whole ``config.json`` of a model in Keras 3's format."""
    config = layer_to_keras(model)
    compiled = compile_to_keras(model)
    config["compile_config"] = compiled
    return config


__all__ = ["Reader", "layer_to_keras", "model_to_keras", "compile_to_keras"]
