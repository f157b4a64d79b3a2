"""JSON rows checked against the columns a run folder's model was trained on.

Every refusal is a :class:`RowError` naming the row, the column and the reason, raised before
anything is predicted; the service answers it with status 422.
"""

import math
import numbers

import numpy as np

from ..data import _columns as C


class RowError(ValueError):
    """A request whose rows do not fit the model's columns (HTTP 422)."""

    def __init__(self, reason, column=None, row=None):
        where = "".join([f"row {row}" if row is not None else "",
                         ", " if row is not None and column is not None else "",
                         f"column {column!r}" if column is not None else ""])
        super().__init__(f"{where}: {reason}" if where else reason)
        self.reason, self.column, self.row = reason, column, row

    def to_json(self):
        return {"error": str(self), "reason": self.reason, "column": self.column,
                "row": self.row}


def columns_of(encoder):
    """``[{"name", "kind", ...}]``: what each raw column must hold (for /metadata)."""
    out = []
    for feature in encoder.get_config()["fitted"]["features"]:
        entry = {"name": feature["name"], "kind": feature["kind"]}
        if feature["kind"] == "numeric":
            entry.update(type="number", missing="null (replaced by the training mean)")
        else:
            entry.update(type="string, number or boolean",
                         categories=[c for c in feature["categories"] if c != C.MISSING],
                         missing="null", unknown="any other value (the unknown bucket)")
        out.append(entry)
    return out


def rows_from_json(payload, encoder, max_rows):
    """The request's rows as a DataFrame of the model's columns, every value checked.

    Args:
        payload: the decoded JSON body: ``{"rows": [{column: value}, ...]}`` or the list.
        encoder: the run folder's fitted TabularEncoder.
        max_rows: the most rows one request may hold.

    Returns:
        ``(frame, imputed)``: the DataFrame and ``{column: count}`` of numeric values that
        were missing (the encoder fills them with the training mean).

    Raises:
        RowError: the first problem found.
        OverflowError: more rows than ``max_rows`` (HTTP 413).
    """
    import pandas as pd

    rows = payload.get("rows") if isinstance(payload, dict) else payload
    if isinstance(payload, dict) and set(payload) - {"rows"}:
        raise RowError(f"unknown keys {sorted(set(payload) - {'rows'})}; send "
                       '{"rows": [{column: value, ...}, ...]}')
    if not isinstance(rows, list):
        raise RowError('the body must be {"rows": [{column: value, ...}, ...]} or a list of '
                       "row objects")
    if not rows:
        raise RowError("no rows to predict")
    if len(rows) > max_rows:
        raise OverflowError(f"{len(rows)} rows exceed the limit of {max_rows} per request")
    columns = {feature["name"]: feature for feature in encoder.get_config()["fitted"]["features"]}
    data = {name: [] for name in columns}
    imputed = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise RowError(f"each row must be an object {{column: value}}, got "
                           f"{type(row).__name__}", row=i)
        for name, feature in columns.items():
            if name not in row:
                raise RowError("missing; every row needs the columns "
                               f"{list(columns)[:20]}", column=name, row=i)
            value = row[name]
            if feature["kind"] == "numeric":
                value = _number(value, name, i)
                if math.isnan(value):
                    imputed[name] = imputed.get(name, 0) + 1
            else:
                value = _category(value, name, i)
            data[name].append(value)
    arrays = {}
    for name, values in data.items():  # whole arrays: much faster than a Series per column
        if columns[name]["kind"] == "numeric":
            arrays[name] = np.array(values, dtype=np.float64)
        else:
            arrays[name] = np.empty(len(values), dtype=object)
            arrays[name][:] = values
    return pd.DataFrame(arrays, copy=False), imputed


def _number(value, column, row):
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise RowError(f"expected a number (or null), got {value!r}", column=column, row=row)
    value = float(value)
    if not math.isfinite(value):
        raise RowError(f"expected a finite number, got {value!r}", column=column, row=row)
    return value


def _category(value, column, row):
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Real) and math.isfinite(value):
        return value
    raise RowError(f"expected a category (string, number or boolean) or null, got {value!r}",
                   column=column, row=row)
