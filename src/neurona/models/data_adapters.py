"""What ``fit``, ``evaluate`` and ``predict`` take as data, turned into batches on the device.

In-memory data (arrays, lists, pandas objects; a list or dict of them per input and per output)
is checked once, moved to the device once and batched by row index (:class:`ArrayData`). The
model's inputs are put in the order its forward takes them: for a functional model with several
``Input``\\ s, a list in their order (from a list, or a dict keyed by the inputs' names); for a
subclassed model, the structure given. Targets and sample weights become one array per output.

Data that streams (:class:`StreamData`) comes batch by batch, each batch ``x``, ``(x, y)`` or
``(x, y, sample_weight)``: a Python generator or iterator (consumed across epochs, as Keras
does: ``steps_per_epoch`` says where an epoch ends, else the first epoch runs until it is
exhausted), any other iterable of batches (iterated afresh every epoch: a PyTorch
``DataLoader`` works unchanged), or a :class:`~neurona.utils.PyDataset` (its ``workers``
threads or processes compute batches ahead). Each batch is checked and converted as arrays are,
the labels against the loss on the first batch.
"""

import hashlib

import numpy as np

from .. import tree
from ..backend import get_ops
from ..validation import did_you_mean
from . import arrays as A
from .targets import class_weight_to_sample_weight, prepare_targets


# -- inputs -----------------------------------------------------------------------------------
def standardize_inputs(model, x, what="x"):
    """``x`` as the model's forward takes it: arrays checked (floats cast to the model's dtype,
    integer arrays kept for index inputs), in the model's input structure."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        return _convert(x, what, model.dtype)
    if len(graph.inputs) == 1 and not tree.is_nested(x):
        return _convert(x, what, _cast_to(graph.inputs[0].dtype))
    names = input_names(model)
    if isinstance(x, dict):
        unknown = [k for k in x if k not in names]
        if unknown:
            raise ValueError(f"{what}: {unknown[0]!r} names no input of the model; its inputs "
                             f"are {names}.{did_you_mean(unknown[0], names)}")
        missing = [n for n in names if n not in x]
        if missing:
            raise ValueError(f"{what}: no array for input {missing[0]!r}; the model's inputs are "
                             f"{names}: pass one array for each")
        values = [x[n] for n in names]
    elif isinstance(x, (list, tuple)) and _is_array_list(x):
        if len(x) != len(names):
            raise ValueError(f"{what}: the model has {len(names)} input(s) {names} but {len(x)} "
                             f"array(s) were given; pass one per input, in order, or a dict "
                             f"keyed by input name")
        values = list(x)
    elif len(names) == 1:
        values = [x]
    else:
        raise ValueError(f"{what}: the model has {len(names)} inputs {names} but one array was "
                         f"given; pass a list of {len(names)} arrays or a dict keyed by "
                         f"{names}")
    converted = [_convert(v, f"{what}[{n!r}]", _cast_to(t.dtype))
                 for v, n, t in zip(values, names, graph.inputs)]
    return converted[0] if len(converted) == 1 and graph.input_kind == "single" else converted


def _cast_to(dtype):
    """What numeric data for an ``Input`` of ``dtype`` is cast to: that dtype (integer ids
    stay exact), nothing for a string input (text stays text)."""
    return None if dtype == "string" else dtype


def input_names(model):
    """The names a dict of inputs is keyed by: the dict keys of ``Model(inputs={...})``, else
    the ``Input`` names."""
    graph = model._graph
    return list(graph.input_names or [t.node.layer.name for t in graph.inputs])


def _is_array_list(x):
    return bool(x) and all(hasattr(v, "shape") or hasattr(v, "to_numpy") or tree.is_nested(v)
                           for v in x)


def _convert(x, what, dtype):
    """One input (or a structure of them for a subclassed model) as checked arrays."""
    if isinstance(x, dict):
        return {k: _convert(v, f"{what}[{k!r}]", dtype) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and _is_array_list(x):
        return [_convert(v, f"{what}[{i}]", dtype) for i, v in enumerate(x)]
    return A.standardize_x(x, what, dtype)


def check_rows(x, ys, sws):
    """The common number of rows of every array, or a ValueError naming the odd one."""
    counts = [("x" if len(tree.flatten(x)) == 1 else f"x[{i}]", len(a))
              for i, a in enumerate(tree.flatten(x))]
    counts += [(f"y[{i}]" if len(ys) > 1 else "y", len(a)) for i, a in enumerate(ys)
               if a is not None]
    counts += [(f"sample_weight[{i}]" if len(sws) > 1 else "sample_weight", len(a))
               for i, a in enumerate(sws) if a is not None]
    n = counts[0][1]
    if n == 0:
        raise ValueError("x is empty (0 rows); fit/evaluate need at least one sample")
    for name, size in counts[1:]:
        if size != n:
            first = counts[0][0]
            if name == "y" and first == "x":
                raise ValueError(f"x and y have different numbers of rows: x has {n}, y has "
                                 f"{size}. They must describe the same samples")
            raise ValueError(f"{name} has {size} rows but {first} has {n}: every input, target "
                             f"and sample-weight array must have one row per sample")
    return n


def check_input_shapes(model, x):
    """Each input's per-sample shape must match a model whose input shapes are known, and text
    must go to ``Input(dtype="string")`` inputs only. An array with one axis less than an input
    whose last axis has size 1 (a column ``(n,)`` for ``Input(shape=(1,))``) gets that axis,
    as Keras adjusts input ranks: in place, on :func:`standardize_inputs`'s own arrays."""
    arrays = tree.flatten(x)
    dtypes = A._input_dtypes(model)
    for i, arr in enumerate(arrays):
        declared = dtypes[i] if i < len(dtypes) else None
        if arr.dtype.kind == "U" and declared != "string":
            which = "x" if len(arrays) == 1 else f"x[{i}]"
            raise ValueError(
                f"{which} holds non-numeric values (dtype {arr.dtype}); encode text columns "
                f"first (e.g. one-hot), convert them with astype(float), or feed them to an "
                f"Input(dtype='string') followed by StringLookup or Hashing")
    shapes = model._input_shapes()
    if shapes is None or len(arrays) != len(shapes):
        return
    for i, (arr, shape) in enumerate(zip(arrays, shapes)):
        expected = tuple(shape[1:])
        if len(expected) == arr.ndim and expected and expected[-1] == 1:
            arr.shape = arr.shape + (1,)
        got = tuple(arr.shape[1:])
        if len(got) != len(expected) or any(e is not None and e != g
                                            for e, g in zip(expected, got)):
            which = "x" if len(arrays) == 1 else f"x[{i}]"
            raise ValueError(
                f"{which} has samples of shape {got} but the model expects {expected} "
                f"(input shape {tuple(shape)}). Check the number of feature columns or the "
                f"model's input_shape"
            )


# -- targets and weights ----------------------------------------------------------------------
def standardize_targets(setup, y, what="y", check=True):
    """One target array per output (None for an output without targets), checked against the
    loss and the output layer with ``check``."""
    ys = setup.targets_list(y, what)
    return [None if yi is None else prepare_targets(yi, out, check)
            for yi, out in zip(ys, setup.outputs)]


def standardize_sample_weights(setup, sample_weight, class_weight, ys, dtype):
    """One sample-weight array per output (or None), class weights folded in."""
    sws = [A.sample_weight_array(sw, None) for sw in setup.sample_weights_list(sample_weight)]
    if class_weight is not None:
        if len(setup.outputs) > 1:
            raise ValueError("class_weight is only supported for models with one output; for "
                             "several outputs pass sample_weight (one array per output)")
        cw = class_weight_to_sample_weight(class_weight, ys[0], setup.outputs[0])
        sws[0] = cw if sws[0] is None else sws[0] * cw
    return [None if sw is None else sw.astype(dtype) for sw in sws]


# -- in-memory data ---------------------------------------------------------------------------
class ArrayData:
    """Inputs, targets and sample weights in memory, on the device, batched by row index."""

    def __init__(self, x, ys, sws):
        ops = get_ops()
        self.rows = check_rows(x, ys, sws)
        self.x = tree.map_structure(ops.asarray, x)
        self.ys = [None if y is None else ops.asarray(y) for y in ys]
        self.sws = [None if sw is None else ops.asarray(sw) for sw in sws]

    def batch(self, index):
        """``(x, ys, sws)`` of the rows ``index`` (a slice or an index array)."""
        return (tree.map_structure(lambda a: a[index], self.x),
                [None if y is None else y[index] for y in self.ys],
                [None if sw is None else sw[index] for sw in self.sws])

    def steps(self, batch_size):
        return -(-self.rows // batch_size)

    def fingerprint(self):
        """A digest of every training array (shape, dtype and bytes) as hex: a backup made
        with other data (another file, other rows, another order) is told apart before its
        saved row order is used."""
        ops = get_ops()
        digest = hashlib.blake2b(digest_size=16)
        arrays = tree.flatten(self.x) + [a for a in self.ys + self.sws if a is not None]
        for array in arrays:
            host = np.ascontiguousarray(ops.to_numpy(array))
            digest.update(f"{host.dtype.str}{host.shape}".encode())
            digest.update(host.view(np.uint8))
        return digest.hexdigest()

    def epoch_batches(self, state, batch_size, steps):
        """``(i, batch)`` for the training batches ``state.batch..steps - 1`` of this epoch, in
        ``state.order`` (None: the data's order); more steps than batches cycle through them."""
        order = None if state.order is None else get_ops().asarray(state.order)
        slices = A.batch_slices(self.rows, batch_size, order)
        for i in range(state.batch, steps):
            yield i, self.batch(slices[i % len(slices)])

    def batches(self, batch_size, steps=None):
        """``(i, batch)`` in order, for evaluation (at most ``steps`` batches)."""
        for i, index in enumerate(A.batch_slices(self.rows, batch_size)):
            if steps is not None and i >= steps:
                return
            yield i, self.batch(index)


def split_rows(x, ys, sws, validation_split, n):
    """Keras's ``validation_split``: the last fraction of the rows, before any shuffling."""
    cut = n - A.validation_count(n, validation_split)
    head, tail = slice(0, cut), slice(cut, n)

    def part(rows):
        return (tree.map_structure(lambda a: a[rows], x),
                [None if y is None else y[rows] for y in ys],
                [None if sw is None else sw[rows] for sw in sws])

    return part(head), part(tail)


def concatenate_outputs(batches):
    """Per-batch model outputs (structures of backend arrays) joined along the batch axis,
    as NumPy."""
    ops = get_ops()
    first = batches[0]
    if len(batches) == 1:
        return tree.map_structure(ops.to_numpy, first)
    flat = [tree.flatten(b) for b in batches]
    joined = [ops.to_numpy(ops.xp.concatenate(column)) for column in zip(*flat)]
    return tree.pack_sequence_as(first, joined)


def to_numpy(values):
    return tree.map_structure(lambda v: np.asarray(get_ops().to_numpy(v)), values)


# -- data that streams --------------------------------------------------------------------------
def is_stream(x):
    """True for data that comes batch by batch: a PyDataset, a generator or iterator, or an
    iterable of batches (anything iterable that is not an array, a list, a tuple, a dict or a
    pandas object)."""
    if x is None or isinstance(x, (np.ndarray, list, tuple, dict, str, bytes)):
        return False
    if hasattr(x, "to_numpy") or hasattr(x, "__array__") or hasattr(x, "__array_interface__"):
        return False
    return _is_py_dataset(x) or hasattr(x, "__next__") or hasattr(x, "__iter__")


def _is_py_dataset(x):
    from ..utils.py_dataset import PyDataset

    return isinstance(x, PyDataset)


def check_stream_arguments(what, y, sample_weight, validation_split):
    """A stream carries its own targets and weights: ``y``, ``sample_weight`` and
    ``validation_split`` are errors with it (as in Keras), not silently dropped."""
    for name, value in (("y", y), ("sample_weight", sample_weight)):
        if value is not None:
            raise ValueError(f"{what}: {name} must not be given when x is a generator, a "
                             f"PyDataset or another iterable of batches: the batches carry "
                             f"it ((x, y) or (x, y, sample_weight) tuples)")
    if validation_split:
        raise ValueError(f"{what}: validation_split needs arrays (it takes their last rows); "
                         "with a generator or a PyDataset pass validation_data=... instead")


class StreamData:
    """Batches from a generator, an iterator, an iterable or a PyDataset (see module doc).

    Args:
        source: the data.
        convert: ``convert(batch, first) -> (x, ys, sws)`` on the device (``first`` on the
            first batch: check the labels then).
        shuffle: shuffle a PyDataset's batch order every epoch (other streams come in their
            own order).
        seed: the generator of that order.
    """

    def __init__(self, source, convert, shuffle=False, rng=None):
        self.source, self.convert = source, convert
        self.runner = None
        if _is_py_dataset(source):
            from ..utils.py_dataset import PyDatasetRunner

            self.runner = PyDatasetRunner(source, shuffle=shuffle,
                                          seed=None if rng is None else rng)
        self.iterator = source if hasattr(source, "__next__") else None
        self.peeked = None
        self.first = True
        self.exhausted = False

    @property
    def steps(self):
        """Batches per epoch when the source says (a PyDataset, an iterable with a length),
        else None."""
        if self.runner is not None:
            return self.runner.dataset.num_batches
        if self.iterator is None and hasattr(self.source, "__len__"):
            return len(self.source)
        return None

    def peek(self):
        """The first batch, converted (the model may need it to build). A generator's batch
        is kept and trained on first; a PyDataset or an iterable is just looked at (every
        epoch starts it afresh)."""
        if self.runner is not None:
            raw = self.source[0]
        elif self.iterator is None:
            raw = next(iter(self.source), None)
        else:
            if self.peeked is None:
                self.peeked = next(self.iterator, None)
            raw = self.peeked
        if raw is None:
            raise ValueError("the data yielded no batch at all (a generator consumed already, "
                             "or an empty data set)")
        return self._converted(raw)

    def _converted(self, raw):
        out = self.convert(raw, self.first)
        self.first = False
        return out

    def _raw_batches(self, steps):
        if self.runner is not None:
            yield from self.runner.epoch(steps)
            return
        if self.iterator is None:  # an iterable: a fresh pass every epoch
            iterator = iter(self.source)
        else:
            iterator = self.iterator
        count = 0
        while steps is None or count < steps:
            try:
                batch = next(iterator)
            except StopIteration:
                if self.iterator is not None:
                    self.exhausted = True
                return
            yield batch
            count += 1

    def epoch_batches(self, state, batch_size, steps):
        """``(i, batch)`` of one training epoch (a stream restarts an epoch resumed mid-way:
        its batches cannot be skipped to)."""
        return enumerate(self.epoch(steps))

    def batches(self, batch_size, steps=None):
        return enumerate(self.epoch(steps))

    def epoch(self, steps=None):
        """Yield ``(x, ys, sws)`` for one epoch: ``steps`` batches, or until the source ends."""
        count = 0
        if self.peeked is not None:  # a generator's first batch, taken by peek
            raw, self.peeked = self.peeked, None
            yield self._converted(raw)
            count += 1
        if steps is not None and count >= steps:
            return
        for raw in self._raw_batches(None if steps is None else steps - count):
            yield self._converted(raw)
