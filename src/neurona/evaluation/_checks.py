"""Input checks shared by the evaluation functions: everything is validated at the boundary and
a bad value is quoted in the error together with the fix."""

import numbers

import numpy as np


def to_host(x, name):
    """``x`` (list, NumPy/CuPy array, neurona Tensor, pandas Series) as a NumPy array."""
    if x is None:
        raise ValueError(f"{name} is None; pass an array of values")
    if hasattr(x, "numpy") and hasattr(x, "creator"):  # a neurona Tensor
        return np.asarray(x.numpy())
    if hasattr(x, "__cuda_array_interface__") and hasattr(x, "get"):  # a CuPy array
        return np.asarray(x.get())
    if hasattr(x, "to_numpy"):  # pandas Series / DataFrame
        return np.asarray(x.to_numpy())
    return np.asarray(x)


def column(x, name):
    """A non-empty 1-D array: shape (n,) or (n, 1) (the trailing unit axis is dropped)."""
    arr = to_host(x, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise ValueError(f"{name} must have shape (n,) or (n, 1), got shape {arr.shape}; pass "
                         "one value per sample")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one sample")
    return arr


def same_length(**arrays):
    """Raise when the arrays do not all hold the same number of samples."""
    lengths = {name: len(a) for name, a in arrays.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{n} has {k}" for n, k in lengths.items())
        raise ValueError(f"inconsistent numbers of samples: {shown}; pass one entry per sample "
                         "in each")


def finite(arr, name):
    """``arr`` as float64 after checking it is numeric and free of NaN/inf."""
    if arr.dtype.kind not in "biuf":
        try:
            arr = arr.astype("float64")
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be numeric, got dtype {arr.dtype} "
                             f"(first values {arr.ravel()[:3].tolist()})") from None
    arr = arr.astype("float64", copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0]
        index = int(where[0]) if len(where) == 1 else tuple(int(i) for i in where)
        raise ValueError(f"{name} contains {arr[tuple(where)]} at index {index} "
                         f"({int(bad.sum())} non-finite values); remove or impute them first")
    return arr


def labels_array(x, name):
    """Class labels as a 1-D array of one kind: numbers (integer-valued) or strings."""
    arr = column(x, name)
    if arr.dtype.kind == "O":
        if all(isinstance(v, str) for v in arr):
            arr = arr.astype(str)
        elif all(isinstance(v, numbers.Number) for v in arr):
            arr = arr.astype("float64")
        else:
            raise ValueError(f"{name} mixes strings and numbers (first values "
                             f"{arr[:3].tolist()}); pass labels of one type")
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} contains NaN or inf at index "
                             f"{int(np.argmin(np.isfinite(arr)))}; pass class labels")
        if (arr != np.round(arr)).any():
            value = arr[np.argmax(arr != np.round(arr))]
            raise ValueError(f"{name} holds continuous values such as {value!r}, not class "
                             "labels; threshold probabilities first (p >= 0.5, or argmax over "
                             "classes) or use classification_summary(y_true, y_prob)")
    if arr.dtype.kind not in "biufUS":
        raise ValueError(f"{name} must hold integer or string class labels, got dtype {arr.dtype}")
    return arr


def same_label_kind(a, b, names):
    """Raise when one array holds strings and the other numbers."""
    text = [arr.dtype.kind in "US" for arr in (a, b)]
    if text[0] != text[1]:
        raise ValueError(f"{names[0]} holds {'strings' if text[0] else 'numbers'} but "
                         f"{names[1]} holds {'strings' if text[1] else 'numbers'}; pass labels "
                         "of the same type (e.g. both as integer class indices)")


def positives(y_true, pos_label, name="y_true"):
    """Binary targets as a boolean array (True = positive class).

    Without ``pos_label`` the targets must be {0, 1}, {-1, 1} or booleans (1/True positive).
    """
    y = column(y_true, name)
    if pos_label is not None:
        return y == pos_label
    if y.dtype.kind == "b":
        return y
    values = set(np.unique(y).tolist()) if y.dtype.kind in "iuf" else None
    if values is None or not values <= {0, 1} and not values <= {-1, 1}:
        shown = sorted(np.unique(y).tolist())[:5]
        raise ValueError(f"{name} must be binary with values in {{0, 1}} or {{-1, 1}}, got "
                         f"values {shown}; pass pos_label= to say which value is positive")
    return y == 1
