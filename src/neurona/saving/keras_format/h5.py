"""HDF5 read as data: the weights of Keras files, through ``h5py`` (an optional extra).

HDF5 can point outside itself: external links and soft links to other files or paths, datasets
whose bytes live in another file (external storage) or are assembled from other files (virtual
datasets), and datasets that declare a huge shape with no bytes behind it (read back as fill
values, allocated in full). The reader walks the whole file first and refuses every one of those,
every dtype that is not a plain number, every filter (compression), and any dataset whose
declared size is not backed by as many bytes in the file; only then does it read the arrays, so
nothing is allocated for a size the file cannot hold.
"""

import io

import numpy as np

from ..errors import ModelFileError

#: the HDF5 signature at offset 0 (Keras writes no user block)
SIGNATURE = b"\x89HDF\r\n\x1a\n"
#: the most groups and datasets a weights file may hold, and the deepest path
MAX_OBJECTS = 200_000
MAX_DEPTH = 64
MAX_RANK = 32
#: dataset layouts h5py reports: compact (in the header) and contiguous (one block in the file)
_PLAIN_LAYOUTS = {0: "compact", 1: "contiguous"}
_KINDS = "fiub"  # float, signed and unsigned integer, bool


def require_h5py(what):
    """The ``h5py`` module, or an ImportError naming the extra to install."""
    try:
        import h5py
    except ImportError:
        raise ImportError(f"{what} needs h5py to read and write Keras's HDF5 weights; install "
                          "it with pip install 'neurona[keras]' (or pip install h5py)") from None
    return h5py


def _link_kind(h5py, group, name):
    link = group.get(name, getlink=True)
    if isinstance(link, h5py.HardLink):
        return None
    return type(link).__name__


def read_h5(data, where, attributes=False):
    """Every dataset of an HDF5 image, checked, as ``{path: NumPy array}``.

    Args:
        data: the file's bytes.
        where: how messages name the file.
        attributes: also return the string and number attributes of every group as
            ``{path: {name: value}}`` (the legacy ``.h5`` format keeps its config there).

    Returns:
        ``arrays`` or, with ``attributes``, ``(arrays, attrs)``. Group paths have no leading
        slash (``"layers/dense/vars/0"``); the root group's attributes are under ``""``.

    Raises:
        ModelFileError: not HDF5, or anything the module docstring lists.
    """
    h5py = require_h5py("Reading a Keras file")
    if not data.startswith(SIGNATURE):
        raise ModelFileError(f"{where}: not an HDF5 file (no HDF5 signature at the start)")
    try:
        handle = h5py.File(io.BytesIO(data), "r")
    except (OSError, ValueError) as err:
        raise ModelFileError(f"{where}: the HDF5 file is corrupt ({err})") from None
    with handle:
        datasets, groups = _walk(h5py, handle, where)
        declared = sum(info[1] for info in datasets.values())
        if declared > len(data):
            raise ModelFileError(f"{where}: the datasets declare {declared} bytes but the file "
                                 f"holds only {len(data)}")
        arrays = {}
        for path, (dataset, _) in datasets.items():
            try:
                arrays[path] = np.array(dataset[()], dtype=dataset.dtype.newbyteorder("="))
            except (OSError, ValueError, TypeError) as err:
                raise ModelFileError(f"{where}: dataset {path!r} cannot be read ({err})") from None
        if not attributes:
            return arrays
        attrs = {path: _attributes(h5py, group, path, where, len(data))
                 for path, group in groups.items()}
    return arrays, attrs


def _walk(h5py, root, where):
    """``({dataset path: (dataset, nbytes)}, {group path: group})`` after every check."""
    datasets, groups = {}, {"": root}
    stack, count = [("", root, 0)], 0
    while stack:
        prefix, group, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ModelFileError(f"{where}: groups nested deeper than {MAX_DEPTH} levels at "
                                 f"{prefix!r}")
        for name in group:
            count += 1
            if count > MAX_OBJECTS:
                raise ModelFileError(f"{where}: more than {MAX_OBJECTS} groups and datasets")
            path = f"{prefix}/{name}" if prefix else name
            kind = _link_kind(h5py, group, name)
            if kind is not None:
                raise ModelFileError(f"{where}: {path!r} is an HDF5 {kind}; links to other "
                                     "paths or files are never followed")
            item = group[name]
            if isinstance(item, h5py.Group):
                groups[path] = item
                stack.append((path, item, depth + 1))
            elif isinstance(item, h5py.Dataset):
                datasets[path] = (item, _check_dataset(item, path, where))
            else:
                raise ModelFileError(f"{where}: {path!r} is a {type(item).__name__}, not a "
                                     "group or dataset")
    return datasets, groups


def _check_dataset(dataset, path, where):
    """The dataset's size in bytes, once it is known to be plain numbers stored in the file."""
    label = f"{where}: dataset {path!r}"
    if dataset.is_virtual:
        raise ModelFileError(f"{label} is a virtual dataset (its data would come from other "
                             "files); refused")
    if dataset.external:
        raise ModelFileError(f"{label} keeps its data in external files "
                             f"{[entry[0] for entry in dataset.external]}; refused")
    plist = dataset.id.get_create_plist()
    if plist.get_nfilters():
        raise ModelFileError(f"{label} is compressed or filtered; Keras writes plain datasets, "
                             "and a filtered one could expand without bound")
    layout = plist.get_layout()
    if layout not in _PLAIN_LAYOUTS:
        raise ModelFileError(f"{label} has an unsupported storage layout ({layout}); only "
                             "compact and contiguous datasets are read")
    dtype = dataset.dtype
    if dtype.kind not in _KINDS or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFileError(f"{label} has dtype {dtype}; only numbers and booleans are read")
    shape = dataset.shape
    if shape is None or len(shape) > MAX_RANK:
        raise ModelFileError(f"{label} has an unsupported shape {shape}")
    nbytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    stored = dataset.id.get_storage_size()
    if stored != nbytes:
        raise ModelFileError(f"{label} declares shape {list(shape)} ({nbytes} bytes) but "
                             f"{stored} bytes are stored; refused before allocating")
    return nbytes


def _attributes(h5py, group, path, where, limit):
    out = {}
    for name in group.attrs:
        attr_id = group.attrs.get_id(name)
        declared = int(np.prod(attr_id.shape or (), dtype=object)) * attr_id.dtype.itemsize
        if declared > limit:
            raise ModelFileError(f"{where}: attribute {name!r} of {path or '/'!r} declares "
                                 f"{declared} bytes, more than the file holds")
        value = group.attrs[name]
        if isinstance(value, bytes):
            value = value.decode("utf-8", errors="strict")
        elif isinstance(value, np.ndarray):
            if value.dtype.kind not in "SUOfiub":
                raise ModelFileError(f"{where}: attribute {name!r} of {path or '/'!r} has "
                                     f"dtype {value.dtype}")
            value = [v.decode("utf-8") if isinstance(v, bytes) else v for v in value.tolist()]
        elif not isinstance(value, (str, int, float, np.number, np.bool_)):
            raise ModelFileError(f"{where}: attribute {name!r} of {path or '/'!r} is a "
                                 f"{type(value).__name__}")
        out[name] = value.item() if isinstance(value, (np.number, np.bool_)) else value
    return out


def write_h5(groups, datasets, attrs=None):
    """An HDF5 image (bytes) with the given groups (created even when empty, as Keras does),
    datasets and attributes.

    Args:
        groups: ``{group path: {attribute: value}}``.
        datasets: ``{dataset path: NumPy array}``; missing parent groups are created.
        attrs: attributes of the root group.

    Returns:
        The file's bytes.
    """
    h5py = require_h5py("Writing a Keras file")
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as handle:
        for key, value in (attrs or {}).items():
            handle.attrs[key] = value
        for path, group_attrs in groups.items():
            group = handle.require_group(path) if path else handle
            for key, value in group_attrs.items():
                group.attrs[key] = value
        for path, array in datasets.items():
            handle[path] = np.array(array, order="C")  # (ascontiguousarray makes 0-d 1-d)
    return buffer.getvalue()
