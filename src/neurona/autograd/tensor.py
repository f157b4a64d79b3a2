"""``Tensor``: an array of the active backend plus what reverse mode needs.

Arithmetic dunders and methods delegate to :mod:`neurona.functions`, so ``a @ w + b`` records
the same nodes as ``F.add(F.matmul(a, w), b)``.
"""

import numpy as np

from .. import backend as _backend
from ..backend import get_ops
from .. import config


class Tensor:
    """An n-dimensional array that can record how it was computed.

    Args:
        data: array-like; converted to the active backend (floats default to ``floatx()``
            when given as Python lists or scalars).
        requires_grad: record operations on it so ``backward()`` fills ``.grad``.
        name: optional label shown in ``repr``.

    Example:
        >>> import neurona.functions as F
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> F.sum(x * x).backward()
        >>> x.grad.tolist()
        [2.0, 4.0]
    """

    __array_priority__ = 1000  # numpy_array + tensor -> Tensor.__radd__
    #: where ``backward`` puts this leaf's gradient when it has none yet (see
    #: :mod:`~neurona.autograd.engine`); an optimizer gives its variables a segment of its
    #: flat gradient buffer. None: a fresh array.
    grad_storage = None

    def __init__(self, data, requires_grad=False, name=None):
        ops = _backend.active.ops
        if type(data) is not ops.array_type:  # a backend array (the common case) is kept
            if isinstance(data, np.generic):  # a NumPy scalar, e.g. from a full reduction
                data = ops.asarray(data)
            elif not ops.is_array(data):  # NumPy data on another backend is moved there
                data = _to_array(ops, data)
        self.data = data
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.creator = None
        self.name = name

    # -- array-like surface ---------------------------------------------------------------------
    @property
    def ops(self):
        return get_ops()

    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    def __len__(self):
        return len(self.data)

    def numpy(self):
        """The values as a NumPy array (a copy from the GPU on the CuPy backend)."""
        return get_ops().to_numpy(self.data)

    def __array__(self, dtype=None, copy=None):
        out = self.numpy()
        return out if dtype is None else out.astype(dtype, copy=False)

    def item(self):
        return self.data.item()

    def __float__(self):
        return float(self.data)

    def __int__(self):
        return int(self.data)

    def __bool__(self):
        return bool(self.data)

    def tolist(self):
        return self.numpy().tolist()

    def __repr__(self):
        grad = ", requires_grad=True" if self.requires_grad else ""
        label = f", name={self.name!r}" if self.name else ""
        return f"Tensor({self.numpy()!r}{grad}{label})"

    def detach(self):
        """A tensor sharing the data but cut from the graph."""
        return Tensor(self.data)

    def backward(self, grad=None):
        """Fill ``.grad`` of every leaf this tensor depends on (see :func:`engine.backward`)."""
        from .engine import backward

        backward(self, grad)

    def zero_grad(self):
        """Forget the gradient (``.grad`` becomes None); the next ``backward`` starts afresh."""
        self.grad = None

    # -- operators (delegated to neurona.functions) --------------------------------------------
    def __add__(self, other):
        return _F().add(self, other)

    def __radd__(self, other):
        return _F().add(other, self)

    def __sub__(self, other):
        return _F().subtract(self, other)

    def __rsub__(self, other):
        return _F().subtract(other, self)

    def __mul__(self, other):
        return _F().multiply(self, other)

    def __rmul__(self, other):
        return _F().multiply(other, self)

    def __truediv__(self, other):
        return _F().divide(self, other)

    def __rtruediv__(self, other):
        return _F().divide(other, self)

    def __pow__(self, exponent):
        return _F().power(self, exponent)

    def __neg__(self):
        return _F().negative(self)

    def __abs__(self):
        return _F().abs(self)

    def __matmul__(self, other):
        return _F().matmul(self, other)

    def __rmatmul__(self, other):
        return _F().matmul(other, self)

    def __getitem__(self, index):
        return _F().getitem(self, index)

    # comparisons give plain boolean arrays: they have no gradient
    def __lt__(self, other):
        return self.data < _raw(other)

    def __le__(self, other):
        return self.data <= _raw(other)

    def __gt__(self, other):
        return self.data > _raw(other)

    def __ge__(self, other):
        return self.data >= _raw(other)

    # elementwise, as every array type and Keras 3's tensors compare (a custom metric's
    # ``y_true == y_pred`` counts matches); a tensor stays hashable by identity, as PyTorch's
    def __eq__(self, other):
        return self.data == _raw(other)

    def __ne__(self, other):
        return self.data != _raw(other)

    __hash__ = object.__hash__

    @property
    def T(self):
        return _F().transpose(self)

    def sum(self, axis=None, keepdims=False):
        return _F().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _F().mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return _F().max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return _F().min(self, axis=axis, keepdims=keepdims)

    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return _F().reshape(self, shape)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return _F().transpose(self, axes or None)

    def exp(self):
        return _F().exp(self)

    def log(self):
        return _F().log(self)

    def sqrt(self):
        return _F().sqrt(self)

    def relu(self):
        return _F().relu(self)

    def sigmoid(self):
        return _F().sigmoid(self)

    def tanh(self):
        return _F().tanh(self)

    def softmax(self, axis=-1):
        return _F().softmax(self, axis=axis)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _to_array(ops, data):
    """Convert Python/NumPy data; Python floats become floatx, NumPy float arrays keep dtype."""
    if isinstance(data, np.ndarray) or hasattr(data, "__array_interface__"):
        return ops.asarray(data)
    arr = np.asarray(data)
    if arr.dtype.kind == "f" or arr.dtype == object:
        arr = arr.astype(config.floatx())
    return ops.asarray(arr)


def _F():
    from .. import functions

    return functions


class Variable(Tensor):
    """A trainable (or frozen) weight owned by a layer, a metric or an optimizer (Keras 3's
    ``keras.Variable``).

    Args:
        initializer: the initial value (an array or a number), or an initializer (a name
            such as "zeros", an Initializer or a callable ``f(shape, dtype)``) with ``shape``.
        shape: the shape, needed with an initializer.
        dtype: the dtype (default: the value's float dtype, else ``floatx``).
        trainable: whether optimizers update it (``requires_grad`` follows it).
        name: the variable's name ("kernel", "bias", ...).
        regularizer: a callable penalty added to the loss, or None.
        constraint: a callable projecting the value after each optimizer step, or None.

    Example:
        >>> v = Variable(np.zeros(2), name="counts")
        >>> v.assign_add(np.array([1.0, 2.0]))
        >>> v.numpy().tolist(), v.shape, v.name
        ([1.0, 2.0], (2,), 'counts')
    """

    def __init__(self, initializer=None, shape=None, dtype=None, trainable=True, name=None,
                 regularizer=None, constraint=None):
        super().__init__(_initial_value(initializer, shape, dtype), requires_grad=trainable,
                         name=name)
        self.regularizer = regularizer
        self.constraint = constraint
        self.path = name

    @property
    def trainable(self):
        return self.requires_grad

    @trainable.setter
    def trainable(self, value):
        self.requires_grad = bool(value)

    @property
    def value(self):
        """The variable as a tensor (itself: ``v.value.grad`` is its gradient, as with
        Keras's PyTorch backend)."""
        return self

    def assign(self, value):
        """Overwrite the values in place (keeping the buffer, so flat optimizer views stay
        valid); ``value`` must have the variable's shape (a number fills a 0-d variable)."""
        value = _raw(value)
        shape = tuple(getattr(value, "shape", np.shape(value)))
        if shape != self.data.shape:
            raise ValueError(
                f"Variable {self.name!r}: cannot assign a value of shape {shape} to "
                f"shape {self.data.shape}"
            )
        self.data[...] = get_ops().asarray(value)

    def assign_add(self, delta):
        """``self += delta`` in place (``delta`` broadcasts to the variable's shape)."""
        self.data += get_ops().asarray(_raw(delta))

    def assign_sub(self, delta):
        """``self -= delta`` in place."""
        self.data -= get_ops().asarray(_raw(delta))

    def __repr__(self):
        return f"<Variable {self.name!r} shape={self.data.shape} dtype={self.data.dtype}>"


def _initial_value(initializer, shape, dtype):
    """The backend array a Variable starts from (see :class:`Variable`)."""
    if initializer is None:
        raise ValueError("Variable: pass an initial value, or an initializer and a shape, e.g. "
                         "Variable(np.zeros(3)) or Variable('zeros', shape=(3,))")
    if isinstance(initializer, str) or (callable(initializer) and not isinstance(
            initializer, (Tensor, np.ndarray)) and not get_ops().is_array(initializer)):
        if shape is None:
            raise ValueError(f"Variable: the initializer {initializer!r} needs shape=...")
        from .. import initializers

        dtype = np.dtype(dtype or config.floatx()).name
        value = initializers.get(initializer)(tuple(shape), dtype=dtype)
        return get_ops().asarray(np.asarray(value, dtype=dtype))
    value = initializer.data if isinstance(initializer, Tensor) else initializer
    ops = get_ops()
    if ops.is_array(value):
        return value if dtype is None else value.astype(dtype)
    value = _to_array(ops, value)
    if dtype is not None:
        value = value.astype(np.dtype(dtype).name)
    if shape is not None and tuple(value.shape) != tuple(shape):
        raise ValueError(f"Variable: the initial value has shape {tuple(value.shape)}, not the "
                         f"shape={tuple(shape)} given")
    return value
