"""Column helpers shared by the tabular encoder: kinds, category keys, numeric coercion.

pandas is imported inside the functions that need it, so ``import neurona`` stays fast.
"""

import difflib
import math
import numbers

import numpy as np

MISSING = "<missing>"
UNKNOWN = "<unknown>"


def require_pandas(what):
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(f"{what} needs pandas; install it with `pip install neurona[data]` "
                          f"(or `pip install pandas`)") from None
    return pd


def as_frame(data, what):
    """A DataFrame from a DataFrame or a dict of columns; anything else is a clear error."""
    pd = require_pandas(what)
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, dict):
        return pd.DataFrame(data)
    raise TypeError(f"{what} expects a pandas DataFrame (or a dict of columns), got "
                    f"{type(data).__name__}; build one with pandas.read_csv or "
                    f"neurona.data.read_table")


def did_you_mean(name, choices):
    """`` (did you mean 'x'?)`` for a close or case-insensitive match, else ``""``."""
    text = [str(c) for c in choices]
    lower = {t.lower().strip(): t for t in text}
    if str(name).lower().strip() in lower:
        return f" (did you mean {lower[str(name).lower().strip()]!r}?)"
    close = difflib.get_close_matches(str(name), text, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def check_columns(frame, names, what):
    """Every name in ``names`` must be a column of ``frame``."""
    columns = list(frame.columns)
    for name in names:
        if name not in columns:
            shown = ", ".join(repr(c) for c in columns[:20]) + (" ..." if len(columns) > 20 else "")
            raise ValueError(f"{what}: column {name!r} is not in the data{did_you_mean(name, columns)}; "
                             f"its columns are {shown}")


def is_numeric_kind(series):
    """True for int/float columns (bool excluded: it is categorical)."""
    pd = require_pandas("column typing")
    dtype = series.dtype
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def is_integer_valued(values):
    """True when every non-missing value of a numeric column is a whole number."""
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)))


def infer_kind(series, integer_categories):
    """``"numeric"`` or ``"categorical"`` for a feature column (the rule in TabularEncoder)."""
    pd = require_pandas("column typing")
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or \
            pd.api.types.is_timedelta64_dtype(series.dtype):
        raise ValueError(f"Column {series.name!r} holds dates/times (dtype {series.dtype}); "
                         f"convert it to numbers first (e.g. the year, or days since a date)")
    if not is_numeric_kind(series):
        return "categorical"
    if pd.api.types.is_integer_dtype(series.dtype) and series.nunique() <= integer_categories:
        return "categorical"
    return "numeric"


def to_float(series, what):
    """A numeric column as float64 (NaN for missing); a non-numeric cell is an error naming the
    row and the value."""
    pd = require_pandas(what)
    if is_numeric_kind(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64").to_numpy()
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        row = bad.to_numpy().argmax()
        raise ValueError(
            f"{what}: column {series.name!r} is numeric but row {row} holds "
            f"{series.iloc[row]!r} ({int(bad.sum())} non-numeric cell(s) in all); fix the data, "
            f"or declare the column categorical")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def key(value):
    """The canonical text of a category, so that 1, 1.0, "1" and np.int64(1) are one category;
    ``None`` for a missing value."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def keys(series):
    """Canonical keys of a column's values (``None`` where missing: NaN, None, pd.NA, NaT)."""
    missing = series.isna().to_numpy()
    return [None if gone else key(v) for v, gone in zip(series.tolist(), missing)]


def sort_keys(values):
    """Categories in a natural order: numbers by value, then text alphabetically."""
    def order(text):
        try:
            return (0, float(text), text)
        except ValueError:
            return (1, 0.0, text)
    return sorted(values, key=order)


def plain(value):
    """A JSON-native Python value (int, float, bool, str) from a NumPy/pandas scalar."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (bool, int, float, str)):
        return value
    return str(value)
