"""``keras.models.clone_model``: the same architecture with fresh weights.

A Sequential model is rebuilt from its layers, a functional one from its graph (the same
connections as its config records, each layer made by ``clone_function``), a subclassed one from
its config. Weights are never copied: call ``set_weights(model.get_weights())`` for that.
"""

from ..layers.input_layer import InputLayer
from ..layers.symbolic import SymbolicTensor

__all__ = ["clone_model"]


def clone_layer(layer):
    """A layer of the same class and configuration, with new weights (the default
    ``clone_function``)."""
    return type(layer).from_config(layer.get_config())


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model with ``model``'s architecture and freshly initialized weights.

    Args:
        model: a Sequential, functional or subclassed model.
        input_tensors: ``Input`` tensors (one, a list) the clone is built on, instead of new
            ``Input`` s (Sequential and functional models).
        clone_function: ``layer -> new layer``, called for every layer but the inputs (default:
            the same class from the layer's config). Return the layer itself to share it.
        call_function: ``(layer, *args, **kwargs) -> outputs``, how each cloned layer is called
            in a functional model's graph (default: ``layer(*args, **kwargs)``).
        recursive: clone the models nested in ``model`` the same way (with ``clone_function``
            and ``call_function``) instead of handing them to ``clone_function``.

    Returns:
        The new model (not compiled).

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        >>> twin = clone_model(model)
        >>> twin.layers[0] is model.layers[0], twin.output_shape
        (False, (None, 2))
    """
    from .model import Model

    if kwargs:
        raise TypeError(f"clone_model: unexpected arguments {sorted(kwargs)}")
    if not isinstance(model, Model):
        raise TypeError(f"clone_model: model must be a neurona Model, got {type(model).__name__}")
    clone = _layer_cloner(clone_function, call_function, recursive)
    if hasattr(model, "_stack"):
        return _clone_sequential(model, input_tensors, clone, call_function)
    if getattr(model, "_graph", None) is not None:
        return _clone_functional(model, input_tensors, clone, call_function)
    if clone_function is not None or input_tensors is not None or call_function is not None:
        raise ValueError(f"clone_model: {type(model).__name__} is a subclassed model, rebuilt "
                         "from its get_config(); clone_function, call_function and "
                         "input_tensors apply to Sequential and functional models only")
    return type(model).from_config(model.get_config())


def _layer_cloner(clone_function, call_function, recursive):
    if clone_function is not None and not callable(clone_function):
        raise TypeError(f"clone_model: clone_function must be callable, got {clone_function!r}")
    if call_function is not None and not callable(call_function):
        raise TypeError(f"clone_model: call_function must be callable, got {call_function!r}")
    make = clone_function or clone_layer

    def clone(layer):
        from .model import Model

        if recursive and isinstance(layer, Model):
            return clone_model(layer, clone_function=clone_function,
                               call_function=call_function, recursive=True)
        return make(layer)

    return clone


def _input_list(input_tensors):
    tensors = input_tensors if isinstance(input_tensors, (list, tuple)) else [input_tensors]
    for tensor in tensors:
        if not isinstance(tensor, SymbolicTensor):
            raise TypeError(f"clone_model: input_tensors must be Input tensors "
                            f"(keras.Input(...)), got {type(tensor).__name__}")
    return list(tensors)


def _clone_sequential(model, input_tensors, clone, call_function):
    from .model import Model
    from .sequential import Sequential

    layers = [clone(layer) for layer in model.layers]
    if input_tensors is not None or call_function is not None:
        if input_tensors is None:
            raise ValueError("clone_model: call_function needs the graph of a built model; "
                             "for a Sequential model give input_tensors too")
        tensors = _input_list(input_tensors)
        if len(tensors) != 1:
            raise ValueError(f"clone_model: a Sequential model takes one input, got "
                             f"{len(tensors)} input_tensors")
        inputs = out = tensors[0]
        for layer in layers:
            out = layer(out) if call_function is None else call_function(layer, out)
        return Model(inputs, out, name=model.name)
    if model.built and model._build_input_shape is not None:
        shape = tuple(model._build_input_shape)
        head = [InputLayer(batch_shape=shape, dtype=model.inputs[0].dtype)]
    else:
        head = []
    return Sequential(head + layers, name=model.name, trainable=model.trainable)


def _clone_functional(model, input_tensors, clone, call_function):
    from .functional_config import functional_config, functional_from_config

    originals = {layer.name: layer for layer in model._graph.layers()}
    given = None
    if input_tensors is not None:
        tensors = _input_list(input_tensors)
        names = [t.node.layer.name for t in model._graph.inputs]
        if len(tensors) != len(names):
            raise ValueError(f"clone_model: the model has {len(names)} inputs {names}, "
                             f"got {len(tensors)} input_tensors")
        given = dict(zip(names, tensors))

    def make_layer(entry):
        original = originals[entry["name"]]
        if isinstance(original, InputLayer):
            return None  # a new Input of the same shape (or the given tensor) stands in
        return clone(original)

    return functional_from_config(type(model), functional_config(model), make_layer=make_layer,
                                  call_function=call_function, given_inputs=given)
