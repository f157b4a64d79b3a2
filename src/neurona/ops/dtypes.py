"""Keras 3's dtype names and type promotion, and how ``keras.ops`` turns its inputs into tensors.

Dtypes are named as Keras names them ("float32", "int32", "bool", ...). Mixing dtypes follows
Keras's promotion lattice (the one JAX uses), not NumPy's: ``int32`` with ``float32`` gives
``float32`` (NumPy: float64), ``uint8`` with ``int8`` gives ``int16``, and Python numbers are
"weak": ``2.0 * x`` keeps x's float dtype, ``2.0 * int_tensor`` is ``floatx()``. Unlike Keras on
JAX or PyTorch, 64-bit dtypes are kept (gradient checks run in float64).

Python data becomes what Keras makes of it: floats ``floatx()``, ints ``int32``, bools ``bool``.
"""

import functools
import numbers

import numpy as np

from .. import config
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..functions import math as _fmath
from ..functions.shape import stack
from ..validation import did_you_mean

__all__ = ["SUPPORTED_DTYPES", "standardize_dtype", "result_type", "is_float_dtype"]

#: the dtypes neurona's tensors hold
SUPPORTED_DTYPES = ("bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
                    "int64", "float16", "float32", "float64")
#: Keras dtypes that exist here only as a clear error
_UNSUPPORTED = {
    "bfloat16": "NumPy has no bfloat16 type",
    "float8_e4m3fn": "NumPy has no float8 types",
    "float8_e5m2": "NumPy has no float8 types",
    "string": "tensors hold numbers only",
    "complex64": "the engine differentiates real numbers only",
    "complex128": "the engine differentiates real numbers only",
}
_PYTHON_TYPES = {bool: "bool", int: "int32", float: "float32", "int": "int32"}

_INT32 = np.iinfo(np.int32)

# Keras's (and JAX's) promotion lattice without bfloat16 and complex: each dtype points to the
# next wider ones; "int" and "float" are the weak types of Python numbers
_LATTICE = {
    "bool": ["int"],
    "int": ["uint8", "int8"],
    "uint8": ["int16", "uint16"],
    "uint16": ["int32", "uint32"],
    "uint32": ["int64", "uint64"],
    "uint64": ["float"],
    "int8": ["int16"],
    "int16": ["int32"],
    "int32": ["int64"],
    "int64": ["float"],
    "float": ["float16"],
    "float16": ["float32"],
    "float32": ["float64"],
    "float64": [],
}


def _upper_bounds():
    bounds = {}
    for node in _LATTICE:
        seen, todo = {node}, [node]
        while todo:
            for up in _LATTICE[todo.pop()]:
                if up not in seen:
                    seen.add(up)
                    todo.append(up)
        bounds[node] = seen
    return bounds


_UPPER = _upper_bounds()


def standardize_dtype(dtype, owner="ops"):
    """The Keras name of ``dtype`` (a name, a NumPy dtype or type, or ``bool``/``int``/
    ``float``); None means ``floatx()``.

    Raises:
        ValueError: for a dtype neurona does not hold (bfloat16, float8, string, complex) or an
            unknown name, naming it and what to use instead.

    Example:
        >>> standardize_dtype(np.float32), standardize_dtype(int)
        ('float32', 'int32')
    """
    if dtype is None:
        return config.floatx()
    if isinstance(dtype, (str, type)) and dtype in _PYTHON_TYPES:
        return _PYTHON_TYPES[dtype]
    name = getattr(dtype, "name", None) or getattr(dtype, "__name__", None) or dtype
    if isinstance(name, str) and name in SUPPORTED_DTYPES:
        return name
    if isinstance(name, str) and name in _UNSUPPORTED:
        raise ValueError(f"{owner}: dtype {name!r} is not supported by neurona "
                         f"({_UNSUPPORTED[name]}); use one of {SUPPORTED_DTYPES}")
    if isinstance(dtype, np.dtype) or (isinstance(dtype, type) and issubclass(dtype, np.generic)):
        raise ValueError(f"{owner}: dtype {np.dtype(dtype).name!r} is not supported by neurona; "
                         f"use one of {SUPPORTED_DTYPES}")
    hint = did_you_mean(name, SUPPORTED_DTYPES) if isinstance(name, str) else ""
    raise ValueError(f"{owner}: unknown dtype {dtype!r}; use one of {SUPPORTED_DTYPES}.{hint}")


def is_float_dtype(name):
    return name.startswith("float")


@functools.lru_cache(maxsize=1024)
def _least_upper_bound(names):
    common = set.intersection(*(_UPPER[n] for n in names))
    return next(c for c in common if common <= _UPPER[c])


@functools.lru_cache(maxsize=1024)
def _promote(keys, floatx):
    names = tuple(name for name, _ in keys)
    if len(set(names)) == 1:
        weak = all(w for _, w in keys)
        out = names[0]
    else:
        weak_names = frozenset("int" if w and _is_int_name(n) else "float" if w else n
                               for n, w in keys)
        out = _least_upper_bound(weak_names)
        weak = out in ("int", "float")
    if weak or out in ("int", "float"):
        return ("int32" if floatx != "float64" else "int64") if _is_int_name(out) else floatx
    return out


def _is_int_name(name):
    return name == "int" or "int" in name and name != "bool"


def result_type(*dtypes):
    """The dtype Keras's promotion gives for these dtypes (names, NumPy dtypes, or the Python
    types ``int``/``float`` standing for weak Python numbers).

    Example:
        >>> result_type("int32", "float32"), result_type("uint8", "int8")
        ('float32', 'int16')
        >>> result_type("int8", float)
        'float32'
    """
    keys = []
    for d in dtypes:
        if d is int or d is float:
            keys.append(("int32" if d is int else "float32", True))
        else:
            keys.append((standardize_dtype(d, "result_type"), False))
    if not keys:
        return config.floatx()
    return _promote(tuple(keys), config.floatx())


# -- turning op inputs into tensors ---------------------------------------------------------------
def _python_array(x, owner):
    """Python data as a host array with Keras's dtypes (floats floatx, ints int32, bools bool)."""
    try:
        arr = np.asarray(x)
    except ValueError:  # ragged nesting
        raise ValueError(f"{owner}: {_preview(x)} is not a rectangular array (its rows differ "
                         "in length); pad them to one length first") from None
    kind = arr.dtype.kind
    if kind == "f" and not isinstance(x, np.generic):
        return arr.astype(config.floatx())
    if kind in "iu" and not isinstance(x, np.generic) and arr.dtype == np.int64:
        # Python ints: int32 as Keras makes them, unless they do not fit
        if arr.size == 0 or (arr.min() >= _INT32.min and arr.max() <= _INT32.max):
            return arr.astype(np.int32)
        return arr
    if arr.dtype.name not in SUPPORTED_DTYPES:
        standardize_dtype(arr.dtype, owner)  # raises naming the dtype
    return arr


def _preview(x):
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _contains_tensor(x):
    return isinstance(x, (list, tuple)) and any(
        isinstance(e, Tensor) or _contains_tensor(e) for e in x)


def to_tensor(x, dtype=None, owner="ops"):
    """``x`` (a Tensor, a backend or NumPy array, Python data) as a Tensor, converted to
    ``dtype`` when one is given (differentiably between float dtypes)."""
    if isinstance(x, Tensor):
        t = x
    elif _contains_tensor(x):  # e.g. [tensor, tensor]: stacked, keeping their gradients
        parts = [to_tensor(e, owner=owner) for e in x]
        common = result_type(*[p.dtype for p in parts])
        t = stack([cast(p, common) for p in parts])
    else:
        ops = get_ops()
        if ops.is_array(x) or isinstance(x, np.ndarray):
            if x.dtype.name not in SUPPORTED_DTYPES:
                standardize_dtype(x.dtype, owner)
            t = Tensor(ops.asarray(x))
        else:
            if x is None:
                raise TypeError(f"{owner}: expected a tensor, an array or a number, got None")
            t = Tensor(ops.asarray(_python_array(x, owner)))
    if dtype is not None:
        t = cast(t, standardize_dtype(dtype, owner))
    return t


def cast(x, dtype):
    """Tensor ``x`` as ``dtype`` (a Keras name): float to float keeps the gradient, anything
    else has none (as in Keras, where the gradient of a cast to an integer is zero)."""
    if x.dtype.name == dtype:
        return x
    if is_float_dtype(dtype) and x.dtype.kind == "f":
        return _fmath.cast(x, dtype)
    return Tensor(x.data.astype(dtype))


def _key(x):
    """(Keras dtype name, weak) of an op input."""
    if isinstance(x, Tensor) or hasattr(x, "dtype") and hasattr(x, "shape"):
        return x.dtype.name, False
    if isinstance(x, (bool, np.bool_)):
        return "bool", False
    if isinstance(x, numbers.Integral):
        return "int32", True
    if isinstance(x, numbers.Real):
        return "float32", True
    return None, False


def operands(owner, *xs):
    """The inputs of an elementwise op as Tensors of one dtype, the one Keras's promotion
    gives (Python numbers weak)."""
    keys = []
    for x in xs:
        name, weak = _key(x)
        if name is None:  # lists and other Python data: converted first, then strong
            name = _python_array(x, owner).dtype.name
        elif name not in SUPPORTED_DTYPES:
            standardize_dtype(name, owner)
        keys.append((name, weak))
    common = keys[0][0] if len(set(keys)) == 1 and not keys[0][1] else _promote(
        tuple(keys), config.floatx())
    out = []
    for x in xs:
        if isinstance(x, Tensor):
            out.append(cast(x, common))
        else:
            out.append(to_tensor(x, common, owner) if not _is_number(x)
                       else Tensor(get_ops().asarray(np.asarray(x, dtype=common))))
    return out


def _is_number(x):
    return isinstance(x, (numbers.Number, np.generic))


def float_dtype_of(x):
    """The dtype of a float op on tensor ``x``: its own when a float, else ``floatx()``."""
    name = x.dtype.name
    return name if is_float_dtype(name) else config.floatx()


def as_float(x, owner="ops"):
    """``x`` as a Tensor of a float dtype (integers and bools become ``floatx()``)."""
    x = to_tensor(x, owner=owner)
    return cast(x, float_dtype_of(x))
