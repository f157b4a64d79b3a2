"""The config of a functional model and the way back.

A functional model is described, as in Keras, by its layers (each ``{"class_name", "config",
"name", "inbound_nodes"}``) and the graph's connections: every call of a layer (a node) lists
its inputs as references ``{"__tensor__": [layer name, node index, tensor index]}`` to outputs of
earlier nodes. Rebuilding creates every layer from the layer registry, calls the layers on
symbolic tensors in dependency order and wraps the ends in a new model. Nothing in a config is
imported or executed: class names resolve through :data:`neurona.layers.LAYERS` only.
"""

import collections

from ..layers.input_layer import InputLayer
from ..layers.symbolic import SymbolicTensor
from ..layers.layer import LAYERS
from ..registry import serialize

_TENSOR, _DICT = "__tensor__", "__dict__"
_SCALARS = (str, int, float, bool, type(None))


def _encode(value, refs, what):
    """Symbolic tensors as references; lists, dicts and JSON scalars as themselves."""
    if isinstance(value, SymbolicTensor):
        return {_TENSOR: refs(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v, refs, what) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise ValueError(f"{what}: dict keys must be strings, got {list(value)!r}")
        return {_DICT: {k: _encode(v, refs, what) for k, v in value.items()}}
    if isinstance(value, _SCALARS):
        return value
    raise ValueError(f"{what}: a functional model's config can only hold symbolic tensors, "
                     f"lists, dicts and JSON scalars as call arguments, got {value!r}")


def _decode(value, lookup):
    if isinstance(value, dict):
        if set(value) == {_TENSOR}:
            return lookup(value[_TENSOR])
        if set(value) == {_DICT} and isinstance(value[_DICT], dict):
            return {k: _decode(v, lookup) for k, v in value[_DICT].items()}
        raise ValueError(f"invalid value {value!r} in the graph (expected {_TENSOR!r} or "
                         f"{_DICT!r})")
    if isinstance(value, list):
        return [_decode(v, lookup) for v in value]
    if isinstance(value, _SCALARS):
        return value
    raise ValueError(f"invalid value {value!r} in the graph")


def _ends(tensors, kind, names):
    if kind == "single":
        return tensors[0]
    if kind == "dict":
        return dict(zip(names, tensors))
    return list(tensors)


def functional_config(model):
    """The JSON-ready config of functional ``model`` (what ``Model.get_config`` returns).

    Args:
        model: a Model built from ``Model(inputs, outputs)``.

    Returns:
        ``{"name", "trainable", "layers", "input_layers", "output_layers"}``.

    Example:
        >>> import neurona as keras
        >>> x = keras.Input(shape=(3,), name="x")
        >>> model = keras.Model(x, keras.layers.Dense(2, name="d")(x))
        >>> [layer["name"] for layer in functional_config(model)["layers"]]
        ['x', 'd']
    """
    graph = model._graph
    node_refs, per_layer = {}, {}
    for node in graph.nodes:
        nodes = per_layer.setdefault(id(node.layer), [])
        node_refs[id(node)] = (node.layer.name, len(nodes))
        nodes.append(node)

    def refs(tensor):
        name, index = node_refs[id(tensor.node)]
        return [name, index, tensor.index]

    layers, names = [], set()
    for layer in graph.layers():
        if layer.name in names:
            raise ValueError(f"Model {model.name!r} has two layers named {layer.name!r}; layer "
                             "names must be unique to save the model (pass name=...)")
        names.add(layer.name)
        entry = dict(serialize(layer), name=layer.name)
        what = f"layer {layer.name!r}"
        entry["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
            {"inputs": _encode(node.inputs, refs, what),
             "args": _encode(list(node.args), refs, what),
             "kwargs": _encode(dict(node.kwargs), refs, what)[_DICT]}
            for node in per_layer[id(layer)]
        ]
        layers.append(entry)
    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layers,
        "input_layers": _encode(_ends(graph.inputs, graph.input_kind, graph.input_names), refs,
                                "inputs"),
        "output_layers": _encode(_ends(graph.outputs, graph.output_kind, graph.output_names), refs,
                                 "outputs"),
    }


def is_functional_config(config):
    """Whether ``config`` describes a functional model (has layers and graph ends)."""
    return isinstance(config, dict) and {"layers", "input_layers", "output_layers"} <= set(config)


def _create_layers(config, make_layer=None):
    if not isinstance(config.get("layers"), list):
        raise ValueError("functional config: 'layers' must be a list")
    created = {}
    for entry in config["layers"]:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise ValueError(f"functional config: each layer needs a string 'name', got {entry!r}")
        if entry["name"] in created:
            raise ValueError(f"functional config: layer name {entry['name']!r} appears twice")
        if not isinstance(entry.get("inbound_nodes"), list):
            raise ValueError(f"functional config: layer {entry['name']!r} needs a list "
                             "'inbound_nodes'")
        layer = None if make_layer is None else make_layer(entry)
        if layer is None:
            layer = LAYERS.from_config({"class_name": entry.get("class_name"),
                                        "config": entry.get("config")})
        created[entry["name"]] = (layer, entry["inbound_nodes"])
    return created


def _references(value):
    """The ``(layer name, node index)`` of every well-formed tensor reference in ``value`` (a
    malformed one is reported when the node is decoded)."""
    found, stack = [], [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get(_TENSOR)
            if (set(item) == {_TENSOR} and isinstance(ref, list) and len(ref) == 3
                    and isinstance(ref[0], str) and type(ref[1]) is int):
                found.append((ref[0], ref[1]))
            else:
                stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _in_dependency_order(pending, produced, names):
    """The nodes of ``pending`` (``(layer name, node index, node)``) sorted once so that each
    comes after the nodes it reads (Kahn's algorithm: linear in the graph's size, whatever
    order the file lists them in); ``produced`` holds what exists already (the inputs), and a
    reference outside ``names`` (the layers) is reported when its node is decoded."""
    waiting_on, blocked = {}, {}
    for entry in pending:
        needs = {ref for ref in _references([entry[2][k] for k in ("inputs", "args", "kwargs")])
                 if ref not in produced and ref[0] in names}
        blocked[id(entry)] = len(needs)
        for ref in needs:
            waiting_on.setdefault(ref, []).append(entry)
    ready = collections.deque(entry for entry in pending if blocked[id(entry)] == 0)
    ordered = []
    while ready:
        entry = ready.popleft()
        ordered.append(entry)
        for follower in waiting_on.pop((entry[0], entry[1]), []):
            blocked[id(follower)] -= 1
            if blocked[id(follower)] == 0:
                ready.append(follower)
    if len(ordered) != len(pending):
        stuck = sorted({entry[0] for entry in pending if blocked[id(entry)] > 0})
        raise ValueError(f"functional config: the nodes of layers {stuck[:10]} depend on "
                         "outputs that are never produced (a dangling or circular connection)")
    return ordered


def functional_from_config(cls, config, make_layer=None, call_function=None,
                           given_inputs=None):
    """Rebuild a functional model from :func:`functional_config`'s output.

    Args:
        cls: the Model class to instantiate (``cls(inputs=..., outputs=..., name=...)``).
        config: the config dict.
        make_layer: ``entry -> layer or None``: the layer for a config entry (None: built from
            the entry's config); :func:`~neurona.models.cloning.clone_model` hands its clones.
        call_function: ``(layer, *args, **kwargs) -> outputs`` instead of calling each layer.
        given_inputs: ``{input layer name: Input tensor}`` standing in for those inputs.

    Returns:
        A new model, with freshly initialized weights (load the saved values afterwards).

    Raises:
        ValueError: an unknown layer class, a malformed config or a dangling connection.
    """
    created = _create_layers(config, make_layer)
    produced = {}  # (layer name, node index) -> outputs of that call
    pending = []
    for name, (layer, nodes) in created.items():
        if isinstance(layer, InputLayer):
            produced[(name, 0)] = (given_inputs or {}).get(name, layer.output)
        for index, node in enumerate(nodes):
            if not isinstance(node, dict) or set(node) != {"inputs", "args", "kwargs"}:
                raise ValueError(f"functional config: node {index} of layer {name!r} must have "
                                 f"inputs, args and kwargs, got {node!r}")
            pending.append((name, index, node))

    def lookup(ref):
        if (not isinstance(ref, list) or len(ref) != 3 or not isinstance(ref[0], str)
                or not all(type(n) is int for n in ref[1:])):
            raise ValueError(f"functional config: invalid tensor reference {ref!r}")
        name, node_index, tensor_index = ref
        if name not in created:
            raise ValueError(f"functional config: reference to unknown layer {name!r}")
        if (name, node_index) not in produced:
            raise LookupError  # not computed yet
        outputs = produced[(name, node_index)]
        outputs = outputs if isinstance(outputs, list) else [outputs]
        if not 0 <= tensor_index < len(outputs):
            raise ValueError(f"functional config: layer {name!r} has no output {tensor_index}")
        return outputs[tensor_index]

    for name, index, node in _in_dependency_order(pending, produced, set(created)):
        inputs = _decode(node["inputs"], lookup)
        args = _decode(node["args"], lookup)
        kwargs = _decode({_DICT: node["kwargs"]}, lookup)
        layer = created[name][0]
        produced[(name, index)] = (layer(inputs, *args, **kwargs) if call_function is None
                                   else call_function(layer, inputs, *args, **kwargs))

    def ends(key):
        try:
            return _decode(config[key], lookup)
        except LookupError:
            raise ValueError(f"functional config: {key} refer to outputs never produced") from None

    return cls(inputs=ends("input_layers"), outputs=ends("output_layers"),
               name=config.get("name"), trainable=config.get("trainable", True))
