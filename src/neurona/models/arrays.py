"""Turning what users pass to ``fit``/``evaluate``/``predict`` into checked arrays and batches.

Every check runs before the first step and names the argument, the bad value and the fix.
"""

import numpy as np

from .. import config, validation


def _as_array(value, what):
    """NumPy array from arrays, lists, pandas objects; object/text columns are an error."""
    if hasattr(value, "to_numpy"):  # pandas DataFrame / Series
        value = value.to_numpy()
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{what} could not be read as an array ({err}); pass a NumPy array or "
                         f"a list of equal-length rows") from None
    if arr.dtype == object or arr.dtype.kind in "USM":
        raise ValueError(
            f"{what} holds non-numeric values (dtype {arr.dtype}); encode text columns first "
            f"(e.g. one-hot) or convert them with astype(float)"
        )
    if arr.dtype.kind == "c":
        raise ValueError(f"{what} holds complex numbers (dtype {arr.dtype}); the layers compute "
                         f"on real numbers: pass the real and imaginary parts as separate "
                         f"features (np.real(a), np.imag(a)) or the magnitude np.abs(a)")
    return arr


def to_float_array(value, what, dtype=None):
    arr = _as_array(value, what)
    dtype = dtype or config.floatx()
    if arr.dtype != dtype:
        with np.errstate(over="ignore"):  # an overflow is reported below, by position
            cast = arr.astype(dtype)
        _check_in_range(arr, cast, what)
        arr = cast
    return arr


def check_in_range(arr, what, dtype=None):
    """ValueError when finite values of ``arr`` overflow ``dtype`` (default floatx)."""
    dtype = np.dtype(dtype or config.floatx())
    if arr.dtype.kind == "f" and arr.dtype.itemsize > dtype.itemsize:
        with np.errstate(over="ignore"):
            _check_in_range(arr, arr.astype(dtype), what)


def _check_in_range(arr, cast, what):
    """A finite value that the cast to the model's dtype turned into inf is an error of its own:
    called "inf" later, it would send the user looking for an infinity that is not there."""
    if cast.dtype.kind != "f" or np.isfinite(cast).all():
        return
    overflow = np.isinf(cast) & np.isfinite(arr)
    if not overflow.any():
        return
    bad = tuple(np.argwhere(overflow)[0])
    where = f"row {bad[0]}" + (f", column {bad[1]}" if len(bad) > 1 else "")
    raise ValueError(
        f"{what} holds {int(overflow.sum())} finite value(s) beyond the range of {cast.dtype} "
        f"(+-{np.finfo(cast.dtype).max:.3g}): {arr[bad].item()!r} at {where}. Rescale that feature "
        f"(e.g. divide it by a power of ten, or take log10) or train in float64 with "
        f"keras.config.set_floatx('float64')")


def check_finite(arr, what):
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        bad = np.argwhere(~np.isfinite(arr))[0]
        kind = "NaN" if np.isnan(arr[tuple(bad)]) else "inf"
        where = f"row {bad[0]}" + (f", column {bad[1]}" if len(bad) > 1 else "")
        count = int((~np.isfinite(arr)).sum())
        raise ValueError(
            f"{what} contains {count} non-finite value(s): {kind} at {where}. Impute or drop "
            f"those rows before training (e.g. df.dropna() or df.fillna(df.mean()))"
        )


def text_array(value):
    """``value`` as a NumPy unicode array when it holds text (str or bytes items), else None."""
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    if not isinstance(value, (np.ndarray, list, tuple)):
        return None
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        return None
    if arr.dtype.kind == "U":
        return arr
    if arr.dtype.kind == "S":
        return np.char.decode(arr, "utf-8")
    if arr.dtype == object and arr.size and all(isinstance(v, str) for v in arr.flat):
        return arr.astype(str)
    return None


def standardize_x(x, what="x", dtype=None):
    """x as a float array, or a list/dict of them for multi-input models. Text arrays stay
    text (unicode arrays) for models with ``Input(dtype="string")``; :func:`~neurona.models.data_adapters.check_input_shapes`
    refuses them for any other input. The arrays returned are never the caller's objects (at
    most views of them), so that :func:`~neurona.models.data_adapters.check_input_shapes` may add a unit axis in place."""
    if isinstance(x, dict):
        return {k: standardize_x(v, f"{what}[{k!r}]", dtype) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and all(hasattr(v, "shape") or hasattr(v, "to_numpy") for v in x):
        return [standardize_x(v, f"{what}[{i}]", dtype) for i, v in enumerate(x)]
    text = text_array(x)
    arr = text if text is not None else to_float_array(x, what, dtype)
    if arr.ndim == 0:
        raise ValueError(f"{what} must have a batch axis, got a scalar")
    if text is None:
        check_finite(arr, what)
    return arr.view() if arr is x else arr


def flat_arrays(x):
    if isinstance(x, dict):
        return list(x.values())
    if isinstance(x, list):
        return x
    return [x]


def num_rows(x, what="x"):
    arrays = flat_arrays(x)
    sizes = {len(a) for a in arrays}
    if len(sizes) != 1:
        raise ValueError(f"All inputs in {what} must have the same number of rows, got "
                         f"{[len(a) for a in arrays]}")
    return sizes.pop()


def take_rows(x, index):
    """Rows ``index`` (a slice or an index array) of x, keeping its structure."""
    if isinstance(x, dict):
        return {k: v[index] for k, v in x.items()}
    if isinstance(x, list):
        return [v[index] for v in x]
    return x[index]


def check_lengths(x, y, sample_weight):
    n = num_rows(x)
    if n == 0:
        raise ValueError("x is empty (0 rows); fit/evaluate need at least one sample")
    if y is not None and len(y) != n:
        raise ValueError(f"x and y have different numbers of rows: x has {n}, y has {len(y)}. "
                         f"They must describe the same samples")
    if sample_weight is not None and len(sample_weight) != n:
        raise ValueError(f"sample_weight has {len(sample_weight)} entries but x has {n} rows")
    return n


def _input_dtypes(model):
    """The dtype of each declared input of ``model`` (None where not declared)."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        return [t.dtype for t in graph.inputs]
    first = getattr(model, "_input_layer", None)
    return [None if first is None else first.dtype]


def sample_weight_array(sample_weight, n):
    if sample_weight is None:
        return None
    sw = to_float_array(sample_weight, "sample_weight")
    if sw.ndim == 2 and sw.shape[1] == 1:
        sw = sw[:, 0]
    if sw.ndim != 1:
        raise ValueError(f"sample_weight must be one weight per sample (shape ({n},)), got shape {sw.shape}")
    check_finite(sw, "sample_weight")
    if (sw < 0).any():
        raise ValueError("sample_weight must be non-negative")
    return sw


def validation_count(n, validation_split):
    """How many of ``n`` rows ``validation_split`` holds out: Keras's rule, the rows after
    ``floor(n * (1 - validation_split))`` (``int(n * validation_split)`` differs when the
    product rounds down, 100 * 0.29 = 28.999...)."""
    validation_split = validation.real(None, "validation_split", validation_split, 0.0, 1.0,
                                       high_open=True)
    n_val = n - int(np.floor(n * (1.0 - validation_split)))
    if validation_split and (n_val == 0 or n_val == n):
        raise ValueError(f"validation_split={validation_split} leaves an empty training or "
                         f"validation set with {n} rows; use more data or another fraction")
    return n_val


def split_shift_message(y, classes, n_val, validation_split):
    """A sentence when the last ``n_val`` rows (Keras's validation split) have markedly different
    labels (``classes`` given) or target values from the rest, else None."""
    head_part = f"the last {n_val} rows (validation_split={validation_split})"
    if classes is not None:
        labels = np.unique(classes)
        head = np.array([(classes[:-n_val] == c).mean() for c in labels])
        tail = np.array([(classes[-n_val:] == c).mean() for c in labels])
        distance = 0.5 * np.abs(head - tail).sum()  # total variation distance
        # above 0.2 and well above what chance gives a slice of n_val rows (~sqrt(K / 4 n))
        if distance <= max(0.2, 3 * np.sqrt(len(labels) / (4 * n_val))):
            return None
        only = labels[(head == 0) & (tail > 0)]
        if len(only):
            seen = f"{len(only)} class(es) ({', '.join(str(c) for c in only[:5])}) appear only there"
        else:
            i = int(np.argmax(np.abs(head - tail)))
            seen = f"class {labels[i]} is {tail[i]:.0%} of them vs {head[i]:.0%} of the rest"
        return f"{head_part} have different labels from the training rows: {seen}"
    values = np.asarray(y, dtype=np.float64).reshape(len(y), -1).mean(axis=1)
    spread = values.std()
    diff = abs(values[-n_val:].mean() - values[:-n_val].mean())
    n_rest = len(values) - n_val
    # half a standard deviation, and four standard errors of the difference of the two means
    if spread == 0 or diff <= max(0.5, 4 * np.sqrt(1 / n_val + 1 / n_rest)) * spread:
        return None
    return (f"{head_part} have targets averaging {values[-n_val:].mean():.4g} vs "
            f"{values[:-n_val].mean():.4g} for the rest (is y sorted?)")


def batch_slices(n, batch_size, order=None):
    """Index arrays (shuffled order) or slices (in order) covering n rows in batches."""
    if order is None:
        return [slice(i, min(i + batch_size, n)) for i in range(0, n, batch_size)]
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def check_batch_size(batch_size, default=32, owner=None):
    """``batch_size`` checked (an integer >= 1), or ``default`` for None."""
    if batch_size is None:
        return default
    return validation.integer(owner, "batch_size", batch_size, low=1)
