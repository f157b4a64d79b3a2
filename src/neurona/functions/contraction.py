"""Einstein summation: one Function for every contraction ``einsum`` can write.

The gradient of an operand is itself an einsum: the output's gradient contracted with the other
operands onto that operand's letters. Three cases need care, each handled by a second einsum
with constant factors: a letter only that operand has (summed away in forward: the gradient is
the same along it, a ones vector), a letter repeated in one operand (a diagonal: an identity
matrix puts the gradient back on it) and a size-1 axis broadcast against a longer one (summed
back to size 1).
"""

import string

from ..autograd.function import Function
from ..backend import get_ops

__all__ = ["einsum", "parse_subscripts"]


def parse_subscripts(subscripts, shapes):
    """``(inputs, output)``: each operand's letters and the output's, as strings with any
    ``...`` replaced by explicit letters (right-aligned, as broadcasting aligns) and the output
    made explicit when ``subscripts`` has no ``->`` (NumPy's rule: the letters used once, in
    alphabetical order, after the ellipsis axes)."""
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string such as 'ij,jk->ik', got "
                        f"{subscripts!r}")
    spec = subscripts.replace(" ", "")
    lhs, arrow, rhs = spec.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(terms)} operand(s), but "
                         f"{len(shapes)} were given")
    allowed = set(string.ascii_letters)
    for term in terms + ([rhs] if arrow else []):
        stray = set(term.replace("...", "")) - allowed
        if stray or term.count("...") > 1:
            raise ValueError(f"einsum: subscripts {subscripts!r} may hold only letters and one "
                             "'...' per operand")
    used = set(spec) & allowed
    spare = [c for c in string.ascii_letters if c not in used]
    ellipsis_dims = []
    for term, shape in zip(terms, shapes):
        explicit = len(term.replace("...", ""))
        if "..." not in term and explicit != len(shape):
            raise ValueError(f"einsum: operand subscripts {term!r} name {explicit} axes, but "
                             f"the operand has shape {tuple(shape)}")
        if "..." in term and explicit > len(shape):
            raise ValueError(f"einsum: operand subscripts {term!r} name more axes than the "
                             f"operand's shape {tuple(shape)} has")
        ellipsis_dims.append(len(shape) - explicit if "..." in term else 0)
    width = max(ellipsis_dims, default=0)
    if width > len(spare):
        raise ValueError("einsum: too many axes under '...' to name them")
    fresh = "".join(spare[:width])
    inputs = [t.replace("...", fresh[width - e:]) for t, e in zip(terms, ellipsis_dims)]
    if arrow:
        output = rhs.replace("...", fresh)
        missing = set(output) - set("".join(inputs))
        if missing or len(set(output)) != len(output):
            raise ValueError(f"einsum: the output {rhs!r} of {subscripts!r} must name each "
                             "axis once, and only axes of the operands")
    else:
        letters = "".join(inputs)
        once = sorted(c for c in set(letters) - set(fresh) if letters.count(c) == 1)
        output = fresh + "".join(once)
    return inputs, output


def _fit(xp, grad, shape):
    """Sum or broadcast the axes where size-1 broadcasting made ``grad`` differ from ``shape``."""
    for axis, (have, want) in enumerate(zip(grad.shape, shape)):
        if have != want:
            grad = (grad.sum(axis=axis, keepdims=True) if want == 1
                    else xp.broadcast_to(grad, grad.shape[:axis] + (want,) + grad.shape[axis + 1:]))
    return grad


class Einsum(Function):
    """``einsum`` over explicit subscripts (see :func:`parse_subscripts`)."""

    def __init__(self, inputs, output):
        self.terms, self.output = list(inputs), output

    def forward(self, *operands):
        self.operands = operands
        spec = ",".join(self.terms) + "->" + self.output
        return self.xp.einsum(spec, *operands, optimize=len(operands) > 1)

    def backward(self, g):
        return tuple(self._gradient(k, g) if wanted else None
                     for k, wanted in enumerate(self.needs_grad))

    def _gradient(self, k, g):
        # dL/dA_k = einsum(out, others -> letters of A_k), then fixed up for the letters that
        # only A_k has, for repeated letters and for broadcast size-1 axes
        xp = self.xp
        term, operand = self.terms[k], self.operands[k]
        others = [t for j, t in enumerate(self.terms) if j != k]
        reachable = set(self.output).union(*others)
        letters = "".join(dict.fromkeys(c for c in term if c in reachable))
        spec = ",".join([self.output] + others) + "->" + letters
        grad = xp.einsum(spec, g, *[a for j, a in enumerate(self.operands) if j != k],
                         optimize=bool(others))
        if letters != term:  # one more einsum puts the gradient on term's axes
            spare = iter(c for c in string.ascii_letters if c not in term + self.output
                         and c not in "".join(others))
            factors, factor_terms, seen, target = [], [], set(), ""
            for axis, c in enumerate(term):
                size = operand.shape[axis]
                if c not in reachable and c not in seen:
                    factors.append(xp.ones(size, dtype=g.dtype))
                    factor_terms.append(c)
                    target += c
                elif c in seen:  # a repeated letter: the gradient sits on the diagonal
                    fresh = next(spare)
                    factors.append(xp.eye(size, dtype=g.dtype))
                    factor_terms.append(c + fresh)
                    target += fresh
                else:
                    target += c
                seen.add(c)
            grad = xp.einsum(",".join([letters] + factor_terms) + "->" + target, grad, *factors)
        return _fit(xp, grad, operand.shape)


def einsum(subscripts, *operands):
    """Einstein summation over tensors, differentiable in every operand.

    Args:
        subscripts: NumPy's notation, e.g. ``"ij,jk->ik"``, ``"bhqd,bhkd->bhqk"``,
            ``"...i,i->..."`` or ``"ii"`` (implicit output: the letters used once).
        *operands: tensors or arrays.

    Returns:
        A Tensor.

    Example:
        >>> einsum("ij,j->i", np.eye(2), np.array([3.0, 4.0])).tolist()
        [3.0, 4.0]
    """
    shapes = [getattr(x, "shape", None) for x in operands]
    if any(s is None for s in shapes):
        operands = [x if s is not None else get_ops().asarray(x) for x, s in zip(operands, shapes)]
        shapes = [x.shape for x in operands]
    inputs, output = parse_subscripts(subscripts, shapes)
    return Einsum(inputs, output)(*operands)
