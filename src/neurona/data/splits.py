"""Splitting samples into training, validation and test sets, optionally stratified.

Sizes follow scikit-learn's ``train_test_split``: a float is a fraction of the rows (rounded
up, so a non-zero fraction never gives an empty set), an int is a number of rows; the training
set gets what is left. A stratified split apportions every set among the classes in proportion
to their counts (largest remainders, ties broken by the seeded generator) and keeps at least one
member of every class in every non-empty set, so it needs as many members per class as there
are non-empty sets.
"""

import math

import numpy as np

from ..random import make_generator


def train_val_test_split(*arrays, val_size=0.15, test_size=0.15, stratify=None, seed=None,
                         shuffle=True):
    """Split arrays into training, validation and test rows.

    Args:
        *arrays: one or more sequences with the same number of rows: NumPy arrays, lists,
            pandas DataFrames or Series (kept as pandas objects, rows taken with ``iloc``).
        val_size: the validation set: a fraction in [0, 1) of the rows or a number of rows.
        test_size: the test set, likewise.
        stratify: class labels (one per row; a 2-D array counts each distinct row as a class)
            whose proportions every set keeps, usually ``y``. Needs ``shuffle=True``.
        seed: an int (or a ``numpy.random.Generator``) fixing the shuffle; ``None`` draws from
            the library's seed (``neurona.utils.set_random_seed``).
        shuffle: shuffle before splitting. ``False`` keeps the order: the first rows train,
            then validation, then test.

    Returns:
        A list with ``train, val, test`` for each array in turn:
        ``x_train, x_val, x_test, y_train, y_val, y_test = train_val_test_split(x, y)``.

    Raises:
        ValueError: no arrays, different row counts, sizes that leave an empty training set,
            ``stratify`` with too few members in a class, or ``stratify`` without shuffling.

    Example:
        >>> import numpy as np
        >>> x, y = np.arange(40).reshape(20, 2), np.array([0] * 10 + [1] * 10)
        >>> x_tr, x_va, x_te, y_tr, y_va, y_te = train_val_test_split(
        ...     x, y, val_size=0.2, test_size=0.2, stratify=y, seed=0)
        >>> len(y_tr), len(y_va), len(y_te), int(y_va.sum()), int(y_te.sum())
        (12, 4, 4, 2, 2)
    """
    n = _row_count(arrays, "train_val_test_split")
    n_test = _size(test_size, n, "test_size")
    n_val = _size(val_size, n, "val_size")
    if n_val + n_test >= n:
        raise ValueError(
            f"val_size={val_size!r} and test_size={test_size!r} take {n_val} + {n_test} of the "
            f"{n} rows and leave no training rows; use smaller sizes or more data")
    parts = _indices(n, (n_val, n_test), stratify, seed, shuffle, "train_val_test_split")
    return _take_all(arrays, parts)


def train_test_split(*arrays, test_size=0.2, stratify=None, seed=None, shuffle=True):
    """Split arrays into training and test rows (scikit-learn's ``train_test_split`` semantics,
    with ``seed`` for ``random_state``).

    Args:
        *arrays: sequences with the same number of rows (NumPy, lists, pandas).
        test_size: a fraction in [0, 1) of the rows or a number of rows.
        stratify: class labels whose proportions both sets keep (usually ``y``).
        seed: an int or a ``numpy.random.Generator``; ``None`` uses the library's seed.
        shuffle: shuffle before splitting; ``False`` puts the last rows in the test set.

    Returns:
        A list with ``train, test`` for each array: ``x_train, x_test, y_train, y_test``.

    Example:
        >>> import numpy as np
        >>> x_tr, x_te = train_test_split(np.arange(10), test_size=0.3, shuffle=False)
        >>> x_te.tolist()
        [7, 8, 9]
    """
    n = _row_count(arrays, "train_test_split")
    n_test = _size(test_size, n, "test_size")
    if n_test >= n:
        raise ValueError(f"test_size={test_size!r} takes all {n} rows and leaves no training "
                         f"rows; use a smaller test_size")
    train, _, test = _indices(n, (0, n_test), stratify, seed, shuffle, "train_test_split")
    return _take_all(arrays, (train, test))


def _row_count(arrays, fn):
    if not arrays:
        raise ValueError(f"{fn} needs at least one array to split, e.g. {fn}(x, y)")
    lengths = []
    for i, array in enumerate(arrays):
        try:
            lengths.append(len(array))
        except TypeError:
            raise ValueError(f"{fn}: array {i} is {array!r}, not a sequence of rows") from None
    if len(set(lengths)) != 1:
        raise ValueError(f"{fn}: the arrays have different numbers of rows {lengths}; they must "
                         f"describe the same samples")
    if lengths[0] < 2:
        raise ValueError(f"{fn}: cannot split {lengths[0]} row(s); at least 2 are needed")
    return lengths[0]


def _size(value, n, name):
    """Rows taken by a size given as a fraction (rounded up) or as a count."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a fraction in [0, 1) or a number of rows, got {value!r}")
    if isinstance(value, (float, np.floating)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{name} must be a fraction in [0, 1) (or an integer number of "
                             f"rows), got {value!r}")
        return math.ceil(float(value) * n)
    if not 0 <= value < n:
        raise ValueError(f"{name}={value!r} rows is out of range for {n} rows; use 0..{n - 1} "
                         f"or a fraction")
    return int(value)


def _indices(n, sizes, stratify, seed, shuffle, fn):
    """Index arrays (train, val, test) for ``sizes = (n_val, n_test)``."""
    n_val, n_test = sizes
    if stratify is None:
        order = make_generator(seed).permutation(n) if shuffle else np.arange(n)
        cut_val, cut_test = n - n_val - n_test, n - n_test
        return order[:cut_val], order[cut_val:cut_test], order[cut_test:]
    if not shuffle:
        raise ValueError(f"{fn}: stratify needs shuffle=True (a stratified split picks rows of "
                         f"every class at random); pass shuffle=True or stratify=None")
    return _stratified(n, n_val, n_test, _class_codes(stratify, n, fn), make_generator(seed), fn)


def _class_codes(stratify, n, fn):
    if hasattr(stratify, "to_numpy"):
        stratify = stratify.to_numpy()
    labels = np.asarray(stratify)
    if len(labels) != n:
        raise ValueError(f"{fn}: stratify has {len(labels)} labels but the arrays have {n} rows")
    if labels.ndim > 2:
        raise ValueError(f"{fn}: stratify must hold one label per row (1-D, or 2-D one-hot), got "
                         f"shape {labels.shape}")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError(f"{fn}: stratify holds {int(np.isnan(labels).sum())} NaN label(s); drop "
                         f"or fill those rows first")
    if labels.dtype == object:
        labels = labels.astype(str)  # mixed or missing values still get one class each
    if labels.ndim == 2:
        classes, codes = np.unique(labels, axis=0, return_inverse=True)
    else:
        classes, codes = np.unique(labels, return_inverse=True)
    return classes, codes.reshape(-1)


def _stratified(n, n_val, n_test, class_codes, rng, fn):
    classes, codes = class_codes
    counts = np.bincount(codes, minlength=len(classes))
    needed = 1 + (n_val > 0) + (n_test > 0)
    if counts.min() < needed:
        worst = int(np.argmin(counts))
        raise ValueError(
            f"{fn}: class {_label(classes[worst])} has only {counts[worst]} member(s); a "
            f"stratified split into {needed} sets needs at least {needed} per class. Drop or "
            f"merge the rare class, or split without stratify")
    for name, size in (("training", n - n_val - n_test), ("validation", n_val), ("test", n_test)):
        if 0 < size < len(classes) or (name == "training" and size < len(classes)):
            raise ValueError(
                f"{fn}: the {name} set has {size} rows, fewer than the {len(classes)} classes, "
                f"so it cannot hold every class; make it larger or split without stratify")
    test = _apportion(n_test, counts, minimum=int(n_test > 0), maximum=counts - needed + 1, rng=rng)
    val = _apportion(n_val, counts, minimum=int(n_val > 0),
                     maximum=counts - test - 1, rng=rng)
    parts = ([], [], [])
    for cls in range(len(classes)):
        members = rng.permutation(np.flatnonzero(codes == cls))
        parts[2].append(members[:test[cls]])
        parts[1].append(members[test[cls]:test[cls] + val[cls]])
        parts[0].append(members[test[cls] + val[cls]:])
    return tuple(rng.permutation(np.concatenate(p)) for p in parts)


def _apportion(total, counts, minimum, maximum, rng):
    """Integers summing to ``total``, proportional to ``counts`` (largest remainders), each
    within [minimum, maximum]."""
    quota = total * counts / counts.sum()
    taken = np.clip(np.floor(quota).astype(np.int64), minimum, maximum)
    tiebreak = rng.random(len(counts))  # a random order among equal remainders
    while taken.sum() != total:
        gap = quota - taken
        if taken.sum() < total:
            room = taken < maximum
            pick = np.lexsort((tiebreak, -np.where(room, gap, -np.inf)))[0]
            assert room[pick], "stratified split: sizes were checked to fit"
            taken[pick] += 1
        else:
            room = taken > minimum
            pick = np.lexsort((tiebreak, np.where(room, gap, np.inf)))[0]
            assert room[pick], "stratified split: sizes were checked to fit"
            taken[pick] -= 1
    return taken


def _label(value):
    return repr(value.tolist() if isinstance(value, np.ndarray) else
                value.item() if isinstance(value, np.generic) else value)


def _take(array, index):
    if hasattr(array, "iloc"):
        return array.iloc[index]
    if isinstance(array, np.ndarray):
        return array[index]
    if isinstance(array, (list, tuple)):
        return [array[i] for i in index]
    return np.asarray(array)[index]


def _take_all(arrays, parts):
    return [_take(array, part) for array in arrays for part in parts]


def k_fold_indices(n, k=5, stratify=None, seed=None):
    """``k`` (train, validation) index pairs: every row validates exactly once.

    Args:
        n: the number of rows.
        k: the number of folds (2 <= k <= n).
        stratify: labels (length ``n``) to spread each class evenly over the folds
            (scikit-learn's StratifiedKFold idea), or None for plain shuffled folds.
        seed: the shuffle's seed.

    Returns:
        A list of ``(train_index, validation_index)`` int64 arrays.

    Example:
        >>> [len(v) for _, v in k_fold_indices(10, 3, seed=0)]
        [4, 3, 3]
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 2 <= k <= n:
        raise ValueError(f"k_fold_indices: k must be an integer from 2 to the {n} rows, "
                         f"got {k!r}")
    rng = np.random.default_rng(seed)
    fold = np.empty(n, dtype=np.int64)
    if stratify is None:
        order = rng.permutation(n)
        fold[order] = np.arange(n) % k
    else:
        _, codes = _class_codes(stratify, n, "k_fold_indices")
        offset = 0  # continue the round-robin across classes, so fold sizes stay even
        for code in np.unique(codes):
            members = rng.permutation(np.flatnonzero(codes == code))
            fold[members] = (np.arange(len(members)) + offset) % k
            offset += len(members)
    rows = np.arange(n)
    return [(rows[fold != i], rows[fold == i]) for i in range(k)]
