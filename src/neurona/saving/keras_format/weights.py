"""Where Keras 3 keeps each weight of a model in ``model.weights.h5``, and in which order.

Keras walks a model as ``keras/src/saving/saving_lib.py`` does: an object's own variables are
the datasets ``<path>/vars/0, 1, ...`` (trainable ones first, each in creation order); a
Sequential or functional model's layers are the container ``<path>/layers``, where each layer
is named after its CLASS (``dense``, ``dense_1``, ``batch_normalization``: automatic layer names
are not reproducible), in the order of ``model.layers``; any other layer's sublayers are found
by attribute (``<path>/<attribute>``, public attributes first, alphabetically; a list or dict of
layers is a container like ``layers``). The functional order is Keras's own: nodes by
decreasing depth, ties by first visit in a depth-first walk from the outputs
(``keras/src/ops/function.py`` ``map_graph``), replicated here.
"""

from collections import defaultdict

from ...layers.input_layer import InputLayer
from ...layers.layer import Layer, to_snake_case
from ...layers.symbolic import SymbolicTensor, _flatten
from .layer_map import KERAS_LAYERS

#: attributes every neurona layer and model has: not sublayers a user added
_BASE_ATTRIBUTES = None


def keras_class_name(layer, class_names=None):
    """The class name Keras knows ``layer`` by: the one its file names (``class_names``:
    ``{id(layer): name}``, for custom classes read from a file), else its own (neurona's
    functional ``Model`` is Keras's ``Functional``)."""
    if class_names and id(layer) in class_names:
        return class_names[id(layer)]
    name = type(layer).__name__
    if name == "Model" and getattr(layer, "_graph", None) is not None:
        return "Functional"
    return name


def is_functional(layer):
    return getattr(layer, "_graph", None) is not None


def is_sequential(layer):
    return hasattr(layer, "_stack")


def keras_layers(model, orders=None):
    """``model.layers`` as Keras lists them: a Sequential's stack (no InputLayer), a
    functional model's layers in Keras's graph order (InputLayers included).

    Args:
        model: a Sequential or functional model.
        orders: optional ``{id(functional model): [layer names]}``, the order a file's config
            lists them in (when reading a file, its config is the truth).
    """
    if is_sequential(model):
        return list(model._stack)
    layers = keras_operation_order(model._graph)
    order = (orders or {}).get(id(model))
    if order is not None:
        by_name = {layer.name: layer for layer in layers}
        if sorted(by_name) == sorted(order):
            layers = [by_name[name] for name in order]
    return layers


def _node_inputs(node):
    """The symbolic tensors a node reads, as Keras's ``node.arguments.keras_tensors`` lists
    them: the call's positional arguments, then its keyword arguments by sorted key."""
    found = _flatten(node.inputs) + _flatten(list(node.args))
    for key in sorted(node.kwargs):
        found += _flatten(node.kwargs[key]) if isinstance(node.kwargs[key], (list, tuple, dict,
                                                                              SymbolicTensor)) \
            else []
    return found


def _flat_ends(tensors, kind, names):
    """A model's inputs or outputs flattened as Keras's ``tree.flatten`` does (dicts by key)."""
    if kind == "dict":
        return [tensors[names.index(key)] for key in sorted(names)]
    return list(tensors)


def keras_operation_order(graph):
    """The layers of a functional graph in Keras 3's ``model.layers`` order."""
    inputs = _flat_ends(graph.inputs, graph.input_kind, graph.input_names)
    outputs = _flat_ends(graph.outputs, graph.output_kind, graph.output_names)
    input_ids = {id(t) for t in inputs}
    finished, in_progress, ordered, first_visit = set(), set(), [], {}

    def visit(tensor):
        stack = [(tensor, False)]
        while stack:
            current, expanded = stack.pop()
            node = current.node
            if node is None:
                continue
            if expanded:
                finished.add(id(node))
                in_progress.discard(id(node))
                ordered.append(node)
                continue
            if id(node) in finished:
                continue
            is_input = isinstance(node.layer, InputLayer)
            if not is_input and id(current) in input_ids:
                finished.add(id(node))
                continue
            if id(node) in in_progress:
                continue  # reached again through another argument before finishing
            first_visit.setdefault(id(node.layer), len(first_visit))
            in_progress.add(id(node))
            stack.append((current, True))
            if not is_input:
                # the recursion visits arguments left to right: push them reversed
                stack.extend((t, False) for t in reversed(_node_inputs(node)))

    for output in outputs:
        visit(output)
    in_graph = {id(node) for node in ordered}
    node_depth, layer_depth, layers = {}, {}, {}
    for node in reversed(ordered):
        depth = node_depth.setdefault(id(node), 0)
        depth = max(depth, layer_depth.get(id(node.layer), 0))
        layer_depth[id(node.layer)] = depth
        layers[id(node.layer)] = node.layer
        node_depth[id(node)] = depth
        for parent in _node_inputs(node):
            if parent.node is None or id(parent.node) not in in_graph:
                continue
            node_depth[id(parent.node)] = max(depth + 1, node_depth.get(id(parent.node), 0))
    for tensor in inputs:  # inputs the outputs do not use still count, at depth 0
        layer = tensor.node.layer
        if id(layer) not in layer_depth:
            layer_depth[id(layer)], layers[id(layer)] = 0, layer
            first_visit[id(layer)] = -1
    by_depth = defaultdict(list)
    for key, depth in layer_depth.items():
        by_depth[depth].append(layers[key])
    order = []
    for depth in sorted(by_depth, reverse=True):
        order += sorted(by_depth[depth], key=lambda layer: first_visit[id(layer)])
    return order


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def _base_attributes():
    global _BASE_ATTRIBUTES
    if _BASE_ATTRIBUTES is None:
        from ...models.model import Model

        _BASE_ATTRIBUTES = frozenset(vars(Model(name="keras_attribute_probe")))
    return _BASE_ATTRIBUTES


def _sort_key(name):
    return f"~{name}" if name.startswith("_") else name  # Keras visits private names last


def _attribute_children(layer):
    """``(attribute, layer or list of layers)`` Keras's walk finds on a custom layer."""
    base = _base_attributes()
    out = []
    for attr in sorted(vars(layer), key=_sort_key):
        if attr in base:
            continue
        value = vars(layer)[attr]
        if isinstance(value, Layer):
            out.append((attr, value))
        elif isinstance(value, dict):
            items = [v for v in value.values() if isinstance(v, Layer)]
            if items:
                out.append((attr, items))
        elif isinstance(value, (list, tuple)):
            items = [v for v in value if isinstance(v, Layer)]
            if items:
                out.append((attr, items))
    return out


def own_variables(layer):
    """A layer's own weights in Keras's order: trainable ones first, each in creation order."""
    own = list(layer._own_weights)
    return ([v for v in own if v.declared_trainable] +
            [v for v in own if not v.declared_trainable])


def _join(*parts):
    return "/".join(p for p in parts if p)


def keras_weight_groups(model, orders=None, class_names=None):
    """``[(group path, layer, [variables])]`` for every object Keras's walk visits, in its order.

    Args:
        model: the model (or layer) to walk.
        orders: see :func:`keras_layers`.
        class_names: see :func:`keras_class_name`.

    Returns:
        One entry per object: the group holding its ``vars`` (``""`` for the top level).
    """
    out, seen = [], set()

    def visit(layer, path):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        entry = KERAS_LAYERS.get(keras_class_name(layer))
        if entry is not None and entry.variables is not None:
            for relative, variables in entry.variables(layer):
                out.append((_join(path, relative), layer, list(variables)))
            return
        out.append((path, layer, own_variables(layer)))
        if is_sequential(layer) or is_functional(layer):
            container(keras_layers(layer, orders), _join(path, "layers"))
            return
        for attr, value in _attribute_children(layer):
            if isinstance(value, Layer):
                visit(value, _join(path, attr))
            else:
                container(value, _join(path, attr))

    def container(items, path):
        used = {}
        for item in items:
            name = to_snake_case(keras_class_name(item, class_names))
            visit(item, _join(path, _unique(name, used)))

    visit(model, "")
    return out


def keras_trainable_variables(model, orders=None):
    """The model's trainable variables in Keras's ``model.trainable_variables`` order (the
    order of an optimizer's slots in a Keras file); a weight shared by two layers once."""
    out, seen_layers, seen_vars = [], set(), set()

    def visit(layer):
        if id(layer) in seen_layers:
            return
        seen_layers.add(id(layer))
        for variable in own_variables(layer):
            if variable.requires_grad and id(variable) not in seen_vars:
                seen_vars.add(id(variable))
                out.append(variable)
        if is_sequential(layer) or is_functional(layer):
            children = keras_layers(layer, orders)
        else:
            children = layer._sublayers
        for child in children:
            visit(child)

    visit(model)
    return out
