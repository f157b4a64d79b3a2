"""Reverse-mode differentiation over the graph of :class:`Function` nodes."""

from .grad_mode import no_grad


def _topological_order(root_fn):
    """Functions reachable from ``root_fn``, each after every function that consumes its output."""
    order, visited = [], set()
    stack = [(root_fn, False)]
    while stack:
        fn, expanded = stack.pop()
        if expanded:
            order.append(fn)
            continue
        # a function is marked when it is expanded, not when it is pushed: one pushed earlier by
        # another consumer may be reached here first, and must then finish before this consumer
        if id(fn) in visited:
            continue
        visited.add(id(fn))
        stack.append((fn, True))
        for x in fn.inputs:
            creator = getattr(x, "creator", None)
            if creator is not None and id(creator) not in visited:
                stack.append((creator, False))
    order.reverse()  # consumers before producers (a post-order, reversed)
    return order


def backward(tensor, grad=None):
    """Accumulate d(tensor)/d(leaf) into ``leaf.grad`` for every leaf that requires a gradient.

    Args:
        tensor: the output to differentiate; a scalar unless ``grad`` is given.
        grad: the upstream gradient (an array of ``tensor``'s shape); defaults to ones.

    The graph is freed as it goes (each node drops its inputs and saved arrays), so a second
    ``backward`` through the same graph raises.
    """
    xp = tensor.ops.xp
    if not tensor.requires_grad:
        raise RuntimeError(
            "backward(): this tensor does not require a gradient (it was computed from inputs "
            "with requires_grad=False, or inside no_grad())"
        )
    if grad is None:
        if tensor.data.size != 1:
            raise ValueError(
                f"backward(): the output has shape {tensor.shape}; pass grad= for a non-scalar output"
            )
        grad = xp.ones_like(tensor.data)
    root = tensor.creator
    if root is None:  # a leaf: its gradient is the seed itself
        _accumulate_leaf(tensor, grad)
        return
    if root.inputs == () and root.needs_grad == ():
        raise RuntimeError("backward(): the graph was already freed by an earlier backward()")
    pending = {id(root): grad}
    with no_grad():
        for fn in _topological_order(root):
            g = pending.pop(id(fn), None)
            inputs, needs = fn.inputs, fn.needs_grad
            grads = fn.backward(g) if g is not None else ()
            fn.__dict__.clear()  # drop saved arrays now: memory stays proportional to the live graph
            for x, wanted, gx in zip(inputs, needs, grads):
                if not wanted or gx is None:
                    continue
                creator = x.creator
                if creator is None:
                    _accumulate_leaf(x, gx)
                else:
                    key = id(creator)
                    prev = pending.get(key)
                    pending[key] = gx if prev is None else prev + gx
    tensor.creator = None


def _accumulate_leaf(leaf, g):
    if g.dtype != leaf.data.dtype:
        g = g.astype(leaf.data.dtype)
    if leaf.grad is None:
        leaf.grad = g
    else:
        leaf.grad = leaf.grad + g
