"""Embedding lookup: rows of a table picked by integer indices, as one Function.

Backward scatters the output gradient into a zero table. Most tokens of a batch are distinct
rows, so the first occurrence of every index is written with one fancy assignment and only the
repeats go through ``add.at`` (the slow, accumulating scatter): about half the time of
``add.at`` over all of them on the W6 benchmark's batches.
"""

from ..autograd.function import Function
from ..autograd.tensor import Tensor

__all__ = ["embedding"]


class Embedding(Function):
    """out[...] = table[indices[...]]; ``indices`` may be any numeric dtype (cast to int64).

    Args:
        owner: the layer's label for the error an index outside the table raises (None: no
            check). The check lives here, not in the layer, so a replayed step runs it too.
    """

    def __init__(self, owner=None):
        self.owner = owner

    def forward(self, indices, table):
        if self.owner is not None and indices.size:
            self._check_range(indices, table.shape[0])
        if indices.dtype.kind not in "iu":
            indices = indices.astype("int64")
        self.indices, self.table_shape = indices.reshape(-1), table.shape
        return self.xp.take(table, indices, axis=0)

    def _check_range(self, indices, size):
        low, high = float(indices.min()), float(indices.max())
        if low < 0 or high >= size:
            bad = low if low < 0 else high
            raise ValueError(f"{self.owner}: index {bad:g} is outside [0, {size}) (input_dim="
                             f"{size}); the vocabulary is larger than input_dim, or the data "
                             "is not indices")

    def backward(self, g):
        if not self.needs_grad[1]:
            return None, None
        xp, idx = self.xp, self.indices
        g = g.reshape(-1, self.table_shape[1])
        out = self.gradient_buffer(1)
        if out is None:
            out = xp.zeros(self.table_shape, dtype=g.dtype)
        else:
            out[...] = 0
        # d out / d table[r] = the sum of the output rows that read row r
        order = xp.argsort(idx, kind="stable")
        ordered = idx[order]
        first = xp.ones(idx.shape, dtype=bool)
        first[1:] = ordered[1:] != ordered[:-1]
        out[ordered[first]] = g[order[first]]
        repeats = order[~first]
        if repeats.size:
            xp.add.at(out, idx[repeats], g[repeats])
        return None, out


def embedding(indices, table, owner=None):
    """The rows of ``table`` (shape ``(input_dim, output_dim)``) at ``indices``: the result has
    shape ``indices.shape + (output_dim,)``; the gradient flows to ``table`` only.

    Args:
        indices: integer (or integral float) tensor or array; every value must be in
            ``[0, input_dim)`` (checked when ``owner`` is given).
        table: the embedding matrix.
        owner: a label (``"Embedding 'embedding'"``): check every index is in range and name
            it in the error; None skips the check.

    Returns:
        A tensor of shape ``indices.shape + (output_dim,)``.

    Example:
        >>> table = np.arange(6.0).reshape(3, 2)
        >>> embedding(np.array([[2, 0]]), table).tolist()
        [[[4.0, 5.0], [0.0, 1.0]]]
    """
    indices = indices if isinstance(indices, Tensor) else Tensor(indices)
    return Embedding(owner)(indices, table)
