"""``plot_model`` / ``model_to_dot``: a picture of a model's layers and connections (pydot and
Graphviz, the optional ``plot_model`` extra)."""

import os

from ..atomic import atomic_write
from ..validation import boolean, choice

__all__ = ["plot_model", "model_to_dot"]

_EXTRA = ('install the plot_model extra: pip install "neurona[plot_model]" (pydot) and the '
          "Graphviz programs (Debian/Ubuntu: apt-get install graphviz)")


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError(f"plot_model needs pydot, which is not installed; {_EXTRA}") from None
    return pydot


def _connections(model):
    """``[(layer, [parent layers], output shape)]`` of a Sequential or functional model, in
    run order."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        rows = {}
        for node in graph.nodes:
            parents = [t.node.layer for t in node.parents()]
            outputs = node.outputs
            shape = ([t.shape for t in outputs] if isinstance(outputs, list) else outputs.shape)
            if id(node.layer) in rows:  # a shared layer: one box, every caller points at it
                rows[id(node.layer)][1].extend(p for p in parents if p not in
                                               rows[id(node.layer)][1])
            else:
                rows[id(node.layer)] = (node.layer, parents, shape)
        return list(rows.values())
    if hasattr(model, "_stack"):
        rows, previous = [], []
        shape = model._build_input_shape if model.built else None
        if getattr(model, "_input_layer", None) is not None:
            rows.append((model._input_layer, [], shape))
            previous = [model._input_layer]
        for layer in model._stack:
            shape = None if shape is None else layer.compute_output_shape(shape)
            rows.append((layer, previous, shape))
            previous = [layer]
        return rows
    raise ValueError(f"plot_model: model {model.name!r} is a subclassed model; its connections "
                     "are Python code, not a graph. Plot a Sequential or functional model")


def _label(layer, shape, show_shapes, show_dtype, show_layer_names, show_layer_activations,
           show_trainable):
    lines = [f"{layer.name} ({type(layer).__name__})" if show_layer_names
             else type(layer).__name__]
    if show_layer_activations and getattr(layer, "_activation_name", None):
        lines.append(f"activation: {layer._activation_name}")
    if show_dtype:
        lines.append(f"dtype: {layer.dtype}")
    if show_shapes and shape is not None:
        lines.append(f"output shape: {shape}")
    if show_trainable:
        lines.append(f"trainable: {layer.trainable}")
    return "\n".join(lines)


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, show_layer_activations=False,
                 show_trainable=False, splines="ortho"):
    """The model's layers (boxes) and connections (arrows) as a ``pydot.Dot`` graph.

    Args: as :func:`plot_model` (without ``to_file``).

    Returns:
        A ``pydot.Dot``.
    """
    pydot = _pydot()
    for arg, value in (("show_shapes", show_shapes), ("show_dtype", show_dtype),
                       ("show_layer_names", show_layer_names), ("expand_nested", expand_nested),
                       ("show_layer_activations", show_layer_activations),
                       ("show_trainable", show_trainable)):
        boolean("plot_model", arg, value)
    choice("plot_model", "rankdir", rankdir, ("TB", "LR"))
    choice("plot_model", "splines", splines, ("ortho", "curved", "polyline", "spline", "line"))
    if not model.built:
        raise ValueError(f"plot_model: model {model.name!r} is not built yet; give it an input "
                         "shape or call it on data first")
    dot = pydot.Dot(graph_type="digraph", rankdir=rankdir, dpi=str(dpi), splines=splines,
                    concentrate="true")
    dot.set_node_defaults(shape="box", fontname="Helvetica")
    options = (show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable)
    _add_model(pydot, dot, model, options, expand_nested, prefix="")
    return dot


def _add_model(pydot, graph, model, options, expand_nested, prefix):
    """Add ``model``'s layers to ``graph``; return the ids of its entry and exit boxes."""
    ends = {}
    rows = _connections(model)
    for layer, parents, shape in rows:
        key = prefix + layer.name
        if expand_nested and (hasattr(layer, "_stack") or getattr(layer, "_graph", None)):
            cluster = pydot.Cluster(f"cluster_{key}", label=f"{layer.name} "
                                    f"({type(layer).__name__})", style="dashed")
            entries, exits = _add_model(pydot, cluster, layer, options, True, key + "/")
            graph.add_subgraph(cluster)
        else:
            graph.add_node(pydot.Node(key, label=_label(layer, shape, *options)))
            entries = exits = [key]
        ends[id(layer)] = (entries, exits)
        for parent in parents:
            for source in ends[id(parent)][1]:
                for target in entries:
                    graph.add_edge(pydot.Edge(source, target))
    fed = {id(p) for _, parents, _ in rows for p in parents}
    entries = [e for layer, parents, _ in rows if not parents for e in ends[id(layer)][0]]
    exits = [e for layer, _, _ in rows if id(layer) not in fed for e in ends[id(layer)][1]]
    return entries, exits


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho"):
    """Draw the model's layers and connections to an image file (Keras's ``plot_model``).

    Args:
        model: a built Sequential or functional model.
        to_file: the file; its extension picks the format (png, svg, pdf, ...; png when none).
        show_shapes: write each layer's output shape.
        show_dtype: write each layer's dtype.
        show_layer_names: write the layers' names next to their classes.
        rankdir: "TB" (top to bottom) or "LR" (left to right).
        expand_nested: draw the layers of nested models inside a dashed frame.
        dpi: resolution.
        show_layer_activations: write the activation of layers that have one.
        show_trainable: write whether each layer is trainable.
        splines: how Graphviz draws the arrows.

    Returns:
        None (the image is in ``to_file``).

    Raises:
        ImportError: pydot or the Graphviz programs are missing (the message says how to
            install them).

    Example:
        >>> plot_model(model, "model.png", show_shapes=True)  # doctest: +SKIP
    """
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir,
                       expand_nested=expand_nested, dpi=dpi,
                       show_layer_activations=show_layer_activations,
                       show_trainable=show_trainable, splines=splines)
    to_file = os.fspath(to_file)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    try:
        image = dot.create(format=extension)
    except FileNotFoundError:
        raise ImportError(f"plot_model needs the Graphviz 'dot' program, which was not found; "
                          f"{_EXTRA}") from None
    atomic_write(to_file, lambda f: f.write(image))
