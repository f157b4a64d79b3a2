"""Reading a training table from a CSV file, with one-line errors that say what is wrong.

:func:`read_table` checks what usually goes wrong with a hand-made CSV before any training:
a wrong path, an empty file, a header without rows, duplicate column names, rows with too many
or too few fields, a stray word in a numeric column, a misspelled or single-class target. Each
problem is a :class:`DataError` (a ``ValueError``) whose message names the file, the line or
the column, the value, and the fix.
"""

import csv
import gzip
import io
import os
import re
import zlib
from pathlib import Path

from ._columns import did_you_mean, require_pandas

SUFFIXES = (".csv", ".csv.gz")
#: how many times its size a .csv.gz may expand, and the size any may expand to (see
#: :func:`decompressed_limit`)
MAX_GZIP_EXPANSION = 100
MIN_GZIP_LIMIT = 64 << 20
#: the field separators :func:`sniff_separator` recognizes, in order of preference
SEPARATORS = (",", ";", "\t", "|")
_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
_SNIFFED_LINES = 50
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+$")


class DataError(ValueError):
    """A data file cannot be used as it is; the message says where and how to fix it.

    Attributes:
        problem: the message without its fix, for callers that phrase the fix their own way
            (the command line names its options).
        na_value: the cell that may mark a missing value, when that is the suspected problem.
    """

    def __init__(self, message, *, problem=None, na_value=None):
        super().__init__(message)
        self.problem = problem if problem is not None else message
        self.na_value = na_value


def sniff_separator(text):
    """The field separator of CSV ``text``: the first of :data:`SEPARATORS` that splits the
    first lines into the same number (more than one) of fields; a comma when none does.

    Example:
        >>> sniff_separator("a;b;c\\n1,5;2;3\\n"), sniff_separator("a,b\\n1,2\\n")
        (';', ',')
    """
    head = "\n".join(text.splitlines()[:_SNIFFED_LINES])
    for sep in SEPARATORS:
        try:
            widths = {len(row) for row in csv.reader(io.StringIO(head), delimiter=sep) if row}
        except csv.Error:  # a field over the csv module's limit: the layout check names it
            continue
        if len(widths) == 1 and widths.pop() > 1:
            return sep
    return ","


def _decimal_mark(text, sep):
    """``","`` when a semicolon- or tab-separated table writes its numbers with decimal commas
    (``1,5``), else ``"."``."""
    if sep == ",":
        return "."
    head = "\n".join(text.splitlines()[1:_SNIFFED_LINES])
    cells = [cell.strip() for row in csv.reader(io.StringIO(head), delimiter=sep) for cell in row]
    commas = sum(bool(_DECIMAL_COMMA.match(cell)) for cell in cells)
    points = sum(bool(_DECIMAL_POINT.match(cell)) for cell in cells)
    return "," if commas > points else "."


def read_table(path, target=None, *, na_values=None, sep=None):
    """Read a CSV (or gzip-compressed ``.csv.gz``) file into a pandas DataFrame, checked.

    Args:
        path: the file, ending in ``.csv`` or ``.csv.gz``; the first line is the header.
        target: the target column's name, checked to exist (with a "did you mean"), to have no
            missing values and more than one distinct value. None skips those checks.
        na_values: extra markers of missing values (e.g. ``["?", "-"]``) on top of pandas's
            defaults (empty, ``NA``, ``NaN``, ``null``, ...).
        sep: the field separator; None sniffs it (:func:`sniff_separator`: comma, semicolon,
            tab or bar). With a semicolon or a tab, numbers written with decimal commas
            (``1,5``) are read as numbers.

    Returns:
        The table as a pandas DataFrame.

    Raises:
        DataError: a missing file or wrong suffix, an empty file, a header without rows,
            duplicate column names, ragged rows (with the line number), a non-numeric cell in an
            otherwise numeric column (row, column and value), a missing target column, a target
            with missing values or a single class.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "cars.csv"
        >>> _ = path.write_text("km,price\\n10,5.5\\n20,4.0\\n")
        >>> read_table(path, target="price").shape
        (2, 2)
    """
    path = Path(os.fspath(path))
    text = _read_text(path)
    if sep is None:
        sep = sniff_separator(text)
    elif not isinstance(sep, str) or len(sep) != 1:
        raise DataError(f"read_table: sep must be one character, got sep={sep!r}")
    line_of_row = _check_layout(path, text, sep)
    pd = require_pandas("read_table")
    try:
        frame = pd.read_csv(io.StringIO(text), na_values=na_values, sep=sep,
                            decimal=_decimal_mark(text, sep))
    except pd.errors.ParserError as err:  # what the layout scan could not foresee
        found = re.search(r"line (\d+)", str(err))
        where = f"line {found.group(1)}" if found else "a row"
        raise DataError(f"{path.name}: {where} cannot be parsed ({str(err).strip()}); check its "
                        f"delimiters and quotes") from None
    _check_numeric_columns(path, frame, line_of_row, na_values)
    if target is not None:
        _check_target(path, frame, target, line_of_row)
    return frame


def _read_text(path):
    name = path.name.lower()
    if not name.endswith(SUFFIXES):
        raise DataError(f"{path}: expected a .csv or .csv.gz file; export the table as CSV "
                        f"(comma-separated, header on the first line)")
    if not path.exists():
        nearby = did_you_mean(path.name, [p.name for p in path.parent.glob("*")]) \
            if path.parent.is_dir() else ""
        raise DataError(f"{path}: no such file{nearby}; check the path (relative paths start at "
                        f"{os.getcwd()})")
    if path.is_dir():
        raise DataError(f"{path}: is a directory, not a CSV file")
    raw = path.read_bytes()
    if name.endswith(".gz"):
        raw = _gunzip(path, raw)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise DataError(f"{path}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset "
                        f"{err.start}); re-save the file as UTF-8") from None


def decompressed_limit(compressed_size):
    """The most bytes a ``.csv.gz`` of ``compressed_size`` bytes may expand to: tables compress
    5 to 20 times, so more than :data:`MAX_GZIP_EXPANSION` times (or :data:`MIN_GZIP_LIMIT`
    for small files) is a gzip bomb, not data."""
    return max(MIN_GZIP_LIMIT, MAX_GZIP_EXPANSION * compressed_size)


def _gunzip(path, raw):
    """``raw`` decompressed in chunks, stopping at :func:`decompressed_limit` (never holding
    more than that), with a DataError naming the cap."""
    limit = decompressed_limit(len(raw))
    out = bytearray()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as stream:
            while chunk := stream.read(1 << 20):
                out += chunk
                if len(out) > limit:
                    raise DataError(
                        f"{path}: decompresses to more than {limit} bytes, over "
                        f"{MAX_GZIP_EXPANSION} times its {len(raw)} bytes (a gzip bomb?); "
                        f"reading stopped there. If the table really is that large, "
                        f"decompress it (gunzip) and read the .csv")
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{path}: not a valid gzip file ({err}); compress it with gzip or "
                        f"rename it to .csv") from None
    return bytes(out)


def _rows(path, text, sep):
    """``csv.reader`` rows of ``text`` with the csv module's field-size limit as a DataError
    naming the line (an unclosed quote makes one field of the rest of the file)."""
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    last = 0  # the line the last complete row ended on: the bad record starts after it
    try:
        for row in reader:
            last = reader.line_num
            yield last, row
    except csv.Error as err:
        raise DataError(f"{path.name}: line {last + 1} cannot be read ({err}; the "
                        f"limit is {csv.field_size_limit()} characters): look for a quote that "
                        f"is never closed, or split that value") from None


def _check_layout(path, text, sep):
    """Header present, rows present, names unique, every row as wide as the header.

    Returns the file line of each data row (blank lines skipped, as pandas does).
    """
    if not text.strip():
        raise DataError(f"{path.name}: the file is empty; it needs a header line and data rows")
    name = _SEPARATOR_NAMES.get(sep, repr(sep))
    header, line_of_row = None, []
    for line, row in _rows(path, text, sep):
        if not row:  # a blank line
            continue
        if header is None:
            header = row
            _check_header(path, header)
            continue
        if len(row) != len(header):
            raise DataError(
                f"{path.name}: line {line} has {len(row)} field(s) but the header has "
                f"{len(header)}; fix that row (a stray or missing {name}, or an unquoted {name} "
                f"inside a value)")
        line_of_row.append(line)
    if not line_of_row:
        raise DataError(f"{path.name}: the file has a header ({', '.join(header[:5])}"
                        f"{', ...' if len(header) > 5 else ''}) but no data rows")
    return line_of_row


def _check_header(path, header):
    seen, duplicates = set(), []
    for name in header:
        if name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        raise DataError(f"{path.name}: duplicate column name(s) {duplicates} in the header; give "
                        f"every column a unique name")


def _check_numeric_columns(path, frame, line_of_row, na_values):
    """A text column whose cells are numbers but for a few is a typo, not a category."""
    pd = require_pandas("read_table")
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue
        present = column.dropna()
        numbers = pd.to_numeric(present, errors="coerce")
        bad = numbers.isna()
        n_good = int((~bad).sum())
        if not bad.any() or n_good < 2 or n_good < 0.8 * len(present):
            continue
        row = int(bad.to_numpy().argmax())
        label = present.index[row]
        position = frame.index.get_loc(label)
        value = present.iloc[row]
        more = int(bad.sum()) - 1
        problem = (f"{path.name}: column {name!r} is numeric except {value!r} at data row "
                   f"{position} (line {line_of_row[position]})"
                   f"{f' and {more} more cell(s)' if more else ''}")
        hint = "" if na_values is not None else f", or pass na_values=[{value!r}] if it marks a " \
                                                f"missing value"
        raise DataError(f"{problem}; fix the cell{hint}", problem=problem,
                        na_value=None if na_values is not None else str(value))


def _check_target(path, frame, target, line_of_row):
    columns = [str(c) for c in frame.columns]
    if target not in frame.columns:
        raise DataError(f"{path.name}: no target column {target!r}{did_you_mean(target, columns)}; "
                        f"the columns are {', '.join(columns[:20])}{' ...' if len(columns) > 20 else ''}")
    column = frame[target]
    missing = column.isna().to_numpy()
    if missing.any():
        first = int(missing.argmax())
        raise DataError(f"{path.name}: target {target!r} is missing in {int(missing.sum())} row(s) "
                        f"(first at line {line_of_row[first]}); drop those rows or fill them in")
    values = column.unique()
    if len(values) < 2:
        raise DataError(f"{path.name}: target {target!r} has a single value {values[0]!r} in all "
                        f"{len(frame)} rows; there is nothing to learn (wrong column or a filtered "
                        f"file?)")
