"""``Layer``: the Keras layer lifecycle on the neurona engine.

``__init__`` validates and stores the configuration, ``build(input_shape)`` creates the weights
with :meth:`Layer.add_weight`, ``call(inputs, training=False)`` computes with
:mod:`neurona.functions`, ``get_config()`` returns what ``__init__`` needs to rebuild the layer.
Calling a layer on an array computes right away (eager, like Keras); calling it on the symbolic
output of :func:`neurona.Input` records a node of a functional model instead.
"""

import contextlib
import functools
import re
import threading
import warnings

import numpy as np

from .. import config, validation
from .. import random as nrandom
from ..autograd.tensor import Tensor, Variable
from ..autograd.grad_mode import no_grad
from ..backend import get_ops
from ..registry import Registry
from .symbolic import SymbolicTensor, call_symbolic, map_structure, standardize_dtype

LAYERS = Registry("layer")

#: ``_calls.depth``: how many layer calls this thread is inside (the outermost clears losses)
_calls = threading.local()
#: ``_call_context.training``: the mode of the layer call running in this thread (nested calls
#: without ``training=`` inherit it, as in Keras 3)
_call_context = threading.local()
register_layer = LAYERS.register

_name_counts = {}
#: per thread, ``.check(layer, shape, dtype)``: called before each new weight is allocated
_new_weights = threading.local()


@contextlib.contextmanager
def checking_new_weights(check):
    """Within the block, ``check(layer, shape, dtype)`` runs before :meth:`Layer.add_weight`
    allocates anything, in this thread (a model file being loaded bounds what its config may
    make the layers allocate: see :mod:`neurona.saving`).

    Example:
        >>> def refuse(layer, shape, dtype):
        ...     raise ValueError(f"{layer.name}: no weights here")
        >>> with checking_new_weights(refuse):
        ...     Layer(name="probe").add_weight(shape=(2,))
        Traceback (most recent call last):
        ...
        ValueError: probe: no weights here
    """
    previous = getattr(_new_weights, "check", None)
    _new_weights.check = check
    try:
        yield
    finally:
        _new_weights.check = previous


def unique_name(base):
    """Keras-style unique names: "dense", "dense_1", "dense_2", ..."""
    count = _name_counts.get(base, 0)
    _name_counts[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def clear_session():
    """Reset the automatic layer names (Keras's ``clear_session``)."""
    _name_counts.clear()


def to_snake_case(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def _accepts(fn, arg):
    """Whether ``fn`` takes a parameter named ``arg`` (read from its code object: importing
    ``inspect`` would cost a fifth of the library's import time)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
    return arg in names or bool(code.co_flags & 0x08)  # 0x08: takes **kwargs


class Layer:
    """Base class of every layer (and of :class:`~neurona.models.Model`).

    Args:
        trainable: whether the layer's weights are updated by training.
        name: unique name; by default derived from the class name ("dense", "dense_1").
        dtype: dtype of the weights (default ``config.floatx()``).
        input_shape: shape of one sample (without the batch axis); on the first layer of a
            ``Sequential`` model it declares the model's input, as in Keras.
        input_dim: shorthand for ``input_shape=(input_dim,)``.

    Example:
        >>> class Scale(Layer):
        ...     def build(self, input_shape):
        ...         self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w")
        ...     def call(self, x):
        ...         return x * self.w
        >>> Scale()(np.ones((2, 3))).shape
        (2, 3)
    """

    #: True when the layer's training call is Functions only, with every side effect inside
    #: them (moving statistics, random draws from a generator the Function holds) and nothing
    #: else done in Python per call, so ``fit`` may record its step once and replay it (see
    #: :mod:`neurona.models.step_replay`). Declared in the body of each class that is; never
    #: inherited, so a user's subclass of a built-in layer trains eagerly unless it says so.
    traceable = False
    #: whether the layer propagates an input mask (Keras's rule: on by default for a layer
    #: that overrides :meth:`compute_mask`); an instance may set it too
    supports_masking = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = _marks_built(cls.__dict__["build"])
        cls.traceable = bool(cls.__dict__.get("traceable", False))
        if "compute_mask" in cls.__dict__ and "supports_masking" not in cls.__dict__:
            cls.supports_masking = True

    def __init__(self, *, trainable=True, name=None, dtype=None, input_shape=None, input_dim=None,
                 batch_size=None):
        self._tracking = True
        self.name = name if name is not None else unique_name(to_snake_case(type(self).__name__))
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        self._trainable = bool(trainable)
        self.dtype = standardize_dtype(dtype or config.floatx())
        self.built = False
        self._own_weights = []
        self._sublayers = []
        self._tracked_metrics = []  # metrics held as attributes (a custom step's trackers)
        self._added_losses = []
        owner = type(self).__name__
        if input_dim is not None:
            input_shape = (validation.integer(owner, "input_dim", input_dim, low=1),)
        self._declared_input_shape = validation.shape(owner, "input_shape", input_shape,
                                                      allow_unknown=True, allow_none=True)
        self._declared_batch_size = validation.integer(owner, "batch_size", batch_size, low=1,
                                                       allow_none=True)
        self._call_takes_training = _accepts(self.call, "training")
        self._call_takes_mask = _accepts(self.call, "mask")
        self._build_input_shape = None
        self.input_spec = None
        self._inbound_nodes = []

    # -- attribute tracking: layers assigned as attributes become sublayers -----------------------
    def __setattr__(self, key, value):
        if getattr(self, "_tracking", False) and not key.startswith("_"):
            for layer in _layers_in(value):
                if layer is not self and not any(layer is s for s in self._sublayers):
                    self._sublayers.append(layer)
            if _is_metric(value) and not any(value is m for m in self._tracked_metrics):
                self._tracked_metrics.append(value)
        object.__setattr__(self, key, value)

    # -- weights ------------------------------------------------------------------------------
    def add_weight(self, shape=None, initializer=None, dtype=None, trainable=True, regularizer=None,
                   constraint=None, name=None):
        """Create a weight of this layer.

        Args:
            shape: tuple of ints.
            initializer: name or object; default "glorot_uniform" for floats (Keras).
            dtype: default the layer's dtype.
            trainable: whether optimizers update it.
            regularizer, constraint: names or objects (see ``neurona.regularizers`` and
                ``neurona.constraints``).
            name: the weight's name within the layer.

        Returns:
            The new :class:`~neurona.autograd.Variable`.
        """
        from .. import initializers

        shape = tuple(int(n) for n in (shape or ()))
        dtype = np.dtype(dtype or self.dtype).name
        check = getattr(_new_weights, "check", None)
        if check is not None:
            check(self, shape, dtype)
        init = initializers.get(initializer if initializer is not None else "glorot_uniform")
        value = init(shape, dtype=dtype, rng=nrandom.make_generator())
        variable = Variable(get_ops().asarray(np.asarray(value, dtype=dtype)),
                            trainable=trainable and self.trainable, name=name,
                            regularizer=_get_regularizer(regularizer),
                            constraint=_get_constraint(constraint))
        variable.declared_trainable = bool(trainable)
        variable.path = f"{self.name}/{name}" if name else self.name
        self._own_weights.append(variable)
        return variable

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._flatten_layers():
            if layer is not self:
                layer._trainable = self._trainable
            for v in layer._own_weights:
                v.requires_grad = self._trainable and v.declared_trainable

    def _flatten_layers(self):
        """This layer and every nested sublayer, each once, depth first."""
        seen, order, stack = set(), [], [self]
        while stack:
            layer = stack.pop()
            if id(layer) in seen:
                continue
            seen.add(id(layer))
            order.append(layer)
            stack.extend(reversed(layer._sublayers))
        return order

    @property
    def weights(self):
        """Every weight (trainable first within each layer's creation order, as Keras lists)."""
        out, seen = [], set()
        for layer in self._flatten_layers():
            for v in layer._own_weights:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_weights(self):
        return [v for v in self.weights if v.requires_grad]

    @property
    def non_trainable_weights(self):
        return [v for v in self.weights if not v.requires_grad]

    variables = weights
    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights

    def get_weights(self):
        """The weights' values as a list of NumPy arrays (copies)."""
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        """Set the weights from a list of arrays, in the order of :attr:`weights`."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"set_weights on layer {self.name!r}: expected {len(own)} arrays "
                f"({[v.path for v in own]}), got {len(weights)}"
            )
        for v, w in zip(own, weights):
            w = np.asarray(w)
            if w.shape != v.shape:
                raise ValueError(
                    f"set_weights on layer {self.name!r}: weight {v.path!r} has shape {v.shape}, "
                    f"got an array of shape {w.shape}"
                )
        for v, w in zip(own, weights):
            v.assign(np.asarray(w, dtype=v.dtype))

    def count_params(self):
        """Number of scalars in the layer's weights."""
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # -- losses added during call (activity regularization) -------------------------------------
    def add_loss(self, loss):
        """Add a scalar tensor to the training loss of the current forward pass."""
        self._added_losses.append(loss)

    @property
    def losses(self):
        """Penalties of this layer and its sublayers: added during the last call, plus weight
        regularizers (computed now, so they carry gradients)."""
        out = []
        for layer in self._flatten_layers():
            out.extend(layer._added_losses)
            for v in layer._own_weights:
                if v.regularizer is not None and v.requires_grad:
                    out.append(v.regularizer(v))
        return out

    def _clear_added_losses(self):
        for layer in self._flatten_layers():
            if layer._added_losses:
                layer._added_losses = []

    # -- lifecycle ----------------------------------------------------------------------------
    def build(self, input_shape):
        """Create the weights; the default creates none."""

    def call(self, inputs):
        raise NotImplementedError(f"Layer {type(self).__name__} must define call()")

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build(input_shape)
            self._build_input_shape = input_shape
            self.built = True

    def compute_output_shape(self, input_shape):
        """Output shape for ``input_shape`` (None for unknown batch); by default the layer is run
        on zeros with a batch of 1 and the batch axis reported as None."""
        shapes = input_shape
        concrete = _map_shapes(shapes, lambda s: tuple(1 if n is None else n for n in s))
        with no_grad():
            zeros = _map_shapes(concrete, lambda s: Tensor(get_ops().xp.zeros(s, dtype=self.dtype)))
            out = self._call_eager(zeros, training=False)
        return map_structure(out, lambda t: (None,) + tuple(t.shape[1:]))

    def __call__(self, inputs, *args, training=None, **kwargs):
        if _any_symbolic(inputs, SymbolicTensor):
            return call_symbolic(self, inputs, args, training, kwargs)
        if _is_plain_values(inputs):  # ["the text", "another"]: one input of two rows
            inputs = np.asarray(inputs)
        inputs = map_structure(inputs, self._to_tensor)
        depth = getattr(_calls, "depth", 0)
        if depth == 0:  # the outermost call starts afresh: `losses` are this call's (Keras)
            self._clear_added_losses()
        _calls.depth = depth + 1
        try:
            return self._call_eager(inputs, *args, training=training, **kwargs)
        finally:
            _calls.depth = depth

    def _call_eager(self, inputs, *args, training=None, **kwargs):
        if not self.built:
            self._maybe_build(map_structure(inputs, lambda t: tuple(t.shape)))
        if self.input_spec is not None:
            self.input_spec.check(self, inputs)
        if training is None:  # Keras 3: a nested call inherits the outer call's mode
            training = getattr(_call_context, "training", False)
        if self._call_takes_training:
            kwargs["training"] = bool(training)
        return self._call_masked(inputs, args, kwargs, training)

    def _call_masked(self, inputs, args, kwargs, training=False):
        """``call`` with Keras 3's mask rules and training mode. A mask rides on a tensor as
        ``_keras_mask``; the inputs' masks go to a ``call`` that takes ``mask=`` (unless one
        was passed), and the outputs get ``compute_mask(inputs, mask)`` when the layer
        supports masking. Layers called inside ``call`` without ``training=`` run in this
        call's mode (so a user's layer whose ``call`` has no ``training`` argument still
        trains its Dropout sublayers)."""
        mask = kwargs.get("mask")
        if mask is None:
            mask = input_masks(inputs)
            if mask is not None and self._call_takes_mask:
                kwargs["mask"] = mask
        outer = getattr(_call_context, "training", False)
        _call_context.training = bool(training)
        try:
            outputs = self.call(inputs, *args, **kwargs)
        finally:
            _call_context.training = outer
        if self.supports_masking:  # also without an input mask: Embedding makes one
            if not _all_masked(outputs):  # unless call attached its own (Masking does)
                _set_output_masks(outputs, self.compute_mask(inputs, mask))
        elif mask is not None:
            warnings.warn(f"Layer {self.name!r} ({type(self).__name__}) does not support masking: "
                          "the mask of its input is dropped and later layers will not see it",
                          UserWarning, stacklevel=3)
        return outputs

    def compute_mask(self, inputs, mask=None):
        """The mask of the outputs for ``inputs`` with ``mask`` (Keras's ``compute_mask``): by
        default the input mask passes through. Masks are boolean tensors, True where a
        timestep is real; layers compute them with :mod:`neurona.functions` (see
        :func:`neurona.functions.not_equal_mask`) so a recorded step replays them."""
        return mask

    def _call_trusted(self, inputs, training):
        """The call of a model's trusted forward (training steps, predict): the shapes were
        checked once against the data, so ``__call__``'s per-call checks are skipped (masks
        and the training mode still flow)."""
        kwargs = {"training": bool(training)} if self._call_takes_training else {}
        return self._call_masked(inputs, (), kwargs, training)

    #: layers whose inputs are indices (Embedding-like) keep integer arrays as they are
    _keeps_integer_inputs = False

    def _to_tensor(self, x):
        """Arrays become tensors; floats (and integers, unless the layer takes indices) are cast
        to the layer's dtype, as Keras autocasts."""
        if isinstance(x, Tensor):
            return x
        ops = get_ops()
        arr = x if ops.is_array(x) else np.asarray(x)
        kind = arr.dtype.kind
        if kind in "USO":  # text stays a host array on every backend (no device holds strings)
            return Tensor(ops.to_numpy(arr) if ops.is_array(arr) else arr)
        if (kind == "f" or (kind in "iub" and not self._keeps_integer_inputs)) and arr.dtype != self.dtype:
            arr = arr.astype(self.dtype)
        return Tensor(ops.asarray(arr))

    # -- the functional graph ----------------------------------------------------------------------
    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name!r} has no {what}: it has not been called on "
                                 "a symbolic input (keras.Input) yet")
        return self._inbound_nodes[0]

    @property
    def input(self):
        """The symbolic input(s) of this layer's first call in a functional graph (for
        feature extraction: ``keras.Model(model.inputs, layer.output)``)."""
        return self._first_node("input").inputs

    @property
    def output(self):
        """The symbolic output(s) of this layer's first call in a functional graph."""
        return self._first_node("output").outputs

    # -- configuration ------------------------------------------------------------------------
    def get_config(self):
        config_ = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self._declared_input_shape is not None:
            config_["input_shape"] = list(self._declared_input_shape)
        return config_

    @classmethod
    def from_config(cls, config_):
        return cls(**config_)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} built={self.built}>"


def _marks_built(build):
    """Wrap a subclass's ``build`` so that calling it directly (as Keras users do) marks the layer
    built and a later call does not build again and replace the weights."""

    @functools.wraps(build)
    def wrapper(self, input_shape=None, *args, **kwargs):
        build(self, input_shape, *args, **kwargs)
        self.built = True
        if self._build_input_shape is None:
            self._build_input_shape = input_shape

    return wrapper


class InputSpec:
    """What a layer accepts: ndim bounds and fixed sizes of some axes (checked on every call)."""

    def __init__(self, min_ndim=None, ndim=None, axes=None):
        self.min_ndim, self.ndim, self.axes = min_ndim, ndim, dict(axes or {})

    def check(self, layer, inputs):
        shape = tuple(inputs.shape)
        if self.ndim is not None and len(shape) != self.ndim:
            raise ValueError(
                f"Input of layer {layer.name!r} must have {self.ndim} dimensions "
                f"(batch included), got shape {shape}"
            )
        if self.min_ndim is not None and len(shape) < self.min_ndim:
            raise ValueError(
                f"Input of layer {layer.name!r} must have at least {self.min_ndim} dimensions "
                f"(batch included), got shape {shape}"
            )
        for axis, size in self.axes.items():
            if shape[axis] != size:
                raise ValueError(
                    f"Input of layer {layer.name!r} is incompatible: axis {axis} must have size "
                    f"{size}, got shape {shape}. The data's features do not match the layer's "
                    f"input ({size}); check input_shape or the columns of x."
                )


def _is_metric(value):
    """A streaming metric (duck-typed: layers do not import the metrics package)."""
    return not isinstance(value, Layer) and all(
        callable(getattr(value, name, None)) for name in ("update_state", "result", "reset_state"))
def input_masks(inputs):
    """The ``_keras_mask`` of a tensor (or a list of them, None where a tensor has none), or
    None when no input has a mask."""
    if isinstance(inputs, (list, tuple)):
        masks = [getattr(x, "_keras_mask", None) for x in inputs]
        return None if all(m is None for m in masks) else masks
    if isinstance(inputs, dict):
        masks = {k: getattr(x, "_keras_mask", None) for k, x in inputs.items()}
        return None if all(m is None for m in masks.values()) else masks
    return getattr(inputs, "_keras_mask", None)


def _all_masked(outputs):
    if isinstance(outputs, (list, tuple)):
        return all(getattr(o, "_keras_mask", None) is not None for o in outputs)
    return getattr(outputs, "_keras_mask", None) is not None


def _set_output_masks(outputs, masks):
    """Attach ``masks`` to the outputs that have none yet (a layer may set its own)."""
    if masks is None:
        return
    if isinstance(outputs, (list, tuple)):
        masks = masks if isinstance(masks, (list, tuple)) else [masks] + [None] * (len(outputs) - 1)
        for out, m in zip(outputs, masks):
            _set_output_masks(out, m)
    elif isinstance(outputs, Tensor) and isinstance(masks, Tensor) and \
            getattr(outputs, "_keras_mask", None) is None:
        outputs._keras_mask = masks


def _layers_in(value):
    if isinstance(value, Layer):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, Layer)]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, Layer)]
    return []


def _any_symbolic(x, cls):
    if isinstance(x, cls):
        return True
    if isinstance(x, (list, tuple)):
        return any(isinstance(v, cls) for v in x)
    if isinstance(x, dict):
        return any(isinstance(v, cls) for v in x.values())
    return False


def _is_shape(s):
    return isinstance(s, tuple) and all(n is None or isinstance(n, (int, np.integer)) for n in s)


def _is_plain_values(inputs):
    """A list or tuple of Python strings or numbers: the rows of one input (as the guides call
    ``TextVectorization(["..."])`` or ``StringLookup(["a", "b"])``), not several inputs."""
    return (isinstance(inputs, (list, tuple)) and len(inputs) > 0
            and all(isinstance(v, (str, bytes, int, float)) for v in inputs))


def _map_shapes(shapes, fn):
    """Apply ``fn`` to a shape or to each shape of a (nested) list of shapes."""
    if _is_shape(shapes):
        return fn(shapes)
    return [_map_shapes(s, fn) for s in shapes]


def _get_regularizer(identifier):
    if identifier is None:
        return None
    from .. import regularizers

    return regularizers.get(identifier)


def _get_constraint(identifier):
    if identifier is None:
        return None
    from .. import constraints

    return constraints.get(identifier)

