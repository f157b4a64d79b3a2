"""Reverse-mode differentiation: one executor for the eager graph and for replayed steps.

:func:`backward` sorts the graph of :class:`~neurona.autograd.function.Function` nodes behind a
tensor into the order in which gradients are complete (every consumer before its producer) and
hands it to :func:`execute`. A recorded training step (:mod:`neurona.autograd.replay`) keeps
that order and calls :func:`execute` on the Functions of each new batch: the very same code
accumulates the gradients, so a replayed step is bitwise an eager one.

The engine owns gradient accumulation. A leaf's ``.grad`` after ``backward()`` is always a
writable array that belongs to that leaf alone: the first gradient is copied into the leaf's
persistent storage when it has one (a variable an optimizer packed keeps its gradient in the
optimizer's flat buffer, so the step needs no gather), or into a fresh array; later gradients
are added to it in place. A Function may ask :meth:`Function.gradient_buffer` for that storage
and write its gradient straight into it, saving the copy.
"""

from .grad_mode import mode
from .tensor import Tensor


def _topological_order(root_fn):
    """Functions reachable from ``root_fn``, each after every function that consumes its output."""
    order, expanded_ids = [], set()
    stack = [(root_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        # marked when expanded, not when pushed: a function reached again through a longer
        # path must finish after that path's consumers too (post-order of a depth-first walk)
        if id(fn) in expanded_ids:
            continue
        expanded_ids.add(id(fn))
        stack.append((fn, True))
        for x in fn.inputs:
            creator = getattr(x, "creator", None)
            if creator is not None and id(creator) not in expanded_ids:
                stack.append((creator, False))
    order.reverse()  # consumers before producers (a post-order, reversed)
    return order


def backward(tensor, grad=None):
    """Accumulate d(tensor)/d(leaf) into ``leaf.grad`` for every leaf that requires a gradient.

    Args:
        tensor: the output to differentiate; a scalar unless ``grad`` is given.
        grad: the upstream gradient: an array (or Tensor) of ``tensor``'s shape; defaults to
            ones.

    The graph is freed as it goes (each node drops its inputs and saved arrays), so a second
    ``backward`` through any part of the same graph raises a RuntimeError.
    """
    ops = tensor.ops
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward(): this tensor does not require a gradient (it was computed from inputs "
            "with requires_grad=False, or inside no_grad())"
        )
    grad = _seed(ops, tensor, grad)
    root = tensor.creator
    if root is None:  # a leaf: its gradient is the seed itself
        _accumulate_leaf(tensor, grad)
        return
    if root.freed:
        raise RuntimeError(_FREED)
    functions = _topological_order(root)
    position = {id(fn): i for i, fn in enumerate(functions)}
    routes, shapes = [], []
    for fn in functions:
        routes.append(tuple(None if not wanted else (x if x.creator is None
                                                     else position[id(x.creator)])
                            for x, wanted in zip(fn.inputs, fn.needs_grad)))
        shapes.append(tuple(getattr(x, "shape", None) for x in fn.inputs))
    execute(functions, range(len(functions)), routes, 0, grad, shapes)


def _seed(ops, tensor, grad):
    """The upstream gradient as a backend array of the tensor's shape and float dtype."""
    if grad is None:
        if tensor.data.size != 1:
            raise ValueError(
                f"backward(): the output has shape {tensor.shape}; pass grad= for a non-scalar "
                "output (an array of that shape: the weights of each output element)"
            )
        return ops.xp.ones_like(tensor.data)
    grad = grad.data if isinstance(grad, Tensor) else ops.asarray(grad)
    if tuple(grad.shape) != tuple(tensor.shape):
        raise ValueError(f"backward(grad=...): grad has shape {tuple(grad.shape)}, but the output "
                         f"has shape {tuple(tensor.shape)}; pass a gradient of the output's shape")
    return grad


_FREED = ("backward(): the graph was already freed by an earlier backward(); compute the "
          "output again (run the forward pass) before calling backward() a second time")


def execute(functions, order, routes, root, seed, shapes=None):
    """Run the backward of ``functions`` in ``order``, starting from ``seed`` at ``root``.

    Args:
        functions: the Functions of one graph (their ``forward`` has run).
        order: their positions in backward order (every consumer before its producer).
        routes: per Function, per input, where that input's gradient goes: None (not
            wanted), the position of the Function that produced the input, or a leaf tensor.
        root: the position of the Function whose output is differentiated.
        seed: the gradient of that output.
        shapes: per Function, the shape of each input: every gradient is checked against it
            (a wrong-shaped gradient would otherwise broadcast silently). A replayed step
            passes None: its shapes were checked by the eager steps it was recorded from.

    Each Function's saved arrays are dropped right after its backward, so memory stays
    proportional to the part of the graph still to be differentiated.
    """
    pending = [None] * len(functions)
    pending[root] = seed
    previous, mode.enabled = mode.enabled, False  # backward records no graph
    try:
        for i in order:
            g = pending[i]
            if g is None:
                continue
            pending[i] = None
            fn = functions[i]
            if shapes is not None and fn.freed:
                raise RuntimeError(_FREED)
            grads = fn.backward(g)
            fn.__dict__.clear()
            if shapes is not None:  # an eager graph: its Functions outlive this pass
                fn.freed = True
                _check_shapes(fn, grads, shapes[i])
            for route, gx in zip(routes[i], grads):
                if route is None or gx is None:
                    continue
                if route.__class__ is int:
                    before = pending[route]
                    pending[route] = gx if before is None else before + gx
                else:
                    _accumulate_leaf(route, gx)
    finally:
        mode.enabled = previous


def _check_shapes(fn, grads, shapes):
    for k, (gx, shape) in enumerate(zip(grads, shapes)):
        if gx is not None and shape is not None and gx.shape != shape:
            raise RuntimeError(
                f"{type(fn).__name__}.backward returned a gradient of shape {tuple(gx.shape)} "
                f"for its input {k} of shape {shape}: a Function's backward must return each "
                "gradient in its input's shape (reduce broadcast axes with ops.sum_to)")


def _accumulate_leaf(leaf, g):
    """Add ``g`` to ``leaf.grad``, which stays an array owned by the leaf (see module doc)."""
    current = leaf.grad
    if current is not None:
        current += g  # owned and writable: made here, or the leaf's own storage
        return
    storage = leaf.grad_storage
    if storage is None:
        leaf.grad = g.astype(leaf.data.dtype, copy=True)
    else:
        if g is not storage:  # a Function that wrote straight into it saves this copy
            storage[...] = g
        leaf.grad = storage
