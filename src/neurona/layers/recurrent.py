"""Recurrent layers: ``RNN(cell)`` and ``SimpleRNN``, ``LSTM``, ``GRU`` (Keras 3's names,
arguments, defaults, weight layout and masking rules).

A built-in cell (SimpleRNNCell, LSTMCell, GRUCell) whose activations can be fused runs the
whole sequence as one Function (:mod:`neurona.functions.recurrent`); any other cell, a user's
activation, recurrent dropout in training, or ``unroll=True`` runs step by step, each step the
cell's ``call`` on :mod:`neurona.functions` (one graph node per operation and step). Both give
the same values and gradients.

Input ``(batch, timesteps, features)``; output ``(batch, units)``, or ``(batch, timesteps,
units)`` with ``return_sequences``; with ``return_state`` a list ``[output, *final states]``.
A mask (``Embedding(mask_zero=True)``, ``Masking`` or ``mask=``) marks padded timesteps: the
states are carried over them unchanged.
"""

from .. import regularizers, registry
from .. import functions as F
from ..autograd.grad_mode import no_grad
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..validation import boolean
from .layer import LAYERS, InputSpec, Layer, register_layer, to_snake_case
from .recurrent_cells import (GRUCell, LSTMCell, SimpleRNNCell, StackedRNNCells, _sizes,
                              zero_states)

__all__ = ["RNN", "SimpleRNN", "LSTM", "GRU"]

_FUSED_KINDS = {SimpleRNNCell: "simple_rnn", LSTMCell: "lstm", GRUCell: "gru"}


def _as_list(x):
    if x is None:
        return None
    return list(x) if isinstance(x, (list, tuple)) else [x]


@register_layer("RNN")
class RNN(Layer):
    """Run a recurrent cell over the timesteps of a sequence (Keras's ``keras.layers.RNN``).

    Args:
        cell: an RNN cell (a layer with ``call(inputs, states)`` returning ``(output,
            new_states)``, an int or list ``state_size`` and optionally ``output_size`` and
            ``get_initial_state(batch_size)``), or a list of cells (stacked).
        return_sequences: return the output of every step, not only the last.
        return_state: also return the final states (a flat list).
        go_backwards: process the sequence from its end; the output sequence is then in
            processing order (reversed), as in Keras.
        stateful: each batch starts from the final states of the previous one (same batch
            size every call: give the model a fixed ``batch_size``); :meth:`reset_states`
            clears them. The states are non-trainable weights, saved with the model.
        unroll: run step by step, one graph node per operation and step, even when the cell
            could run as one fused Function (the values are the same).
        zero_output_for_mask: masked steps output zeros instead of repeating the last output.
        activity_regularizer: a penalty on the outputs, divided by the batch size.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.

    Call arguments: ``sequences``, ``initial_state`` (a list of tensors, one per state),
    ``mask`` (``(batch, timesteps)`` booleans, True where real), ``training``.

    Example:
        >>> layer = RNN(LSTMCell(4), return_sequences=True)
        >>> layer(np.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    traceable = True

    supports_masking = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False,
                 activity_regularizer=None, **base):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not isinstance(cell, Layer) or not hasattr(cell, "state_size"):
            raise ValueError(f"{type(self).__name__}: cell must be an RNN cell, a layer with "
                             f"call(inputs, states) and a state_size attribute, got {cell!r}")
        super().__init__(**base)
        owner = type(self).__name__
        self.cell = cell
        self.return_sequences = boolean(owner, "return_sequences", return_sequences)
        self.return_state = boolean(owner, "return_state", return_state)
        self.go_backwards = boolean(owner, "go_backwards", go_backwards)
        self.stateful = boolean(owner, "stateful", stateful)
        self.unroll = boolean(owner, "unroll", unroll)
        self.zero_output_for_mask = boolean(owner, "zero_output_for_mask", zero_output_for_mask)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.input_spec = InputSpec(ndim=3)
        self.states = None
        self._zero_states = {}  # (batch, dtype) -> the built-in cells' zero initial states
        if self.stateful and not self._always_fused():
            # the step-by-step path writes the final states in Python, after its Functions:
            # a replayed step would not, so such a layer trains eagerly
            self.traceable = False

    # -- structure ------------------------------------------------------------------------
    @property
    def state_size(self):
        """The size of each state, a flat list."""
        return _sizes(self.cell.state_size)

    @property
    def output_size(self):
        return getattr(self.cell, "output_size", self.state_size[0])

    @property
    def weights(self):
        """The cell's weights (Keras's order, so ``set_weights`` takes Keras's arrays), then a
        stateful layer's states."""
        out = super().weights
        own = {id(v) for v in self._own_weights}
        return [v for v in out if id(v) not in own] + [v for v in out if id(v) in own]

    def build(self, sequences_shape, initial_state_shape=None):
        shape = tuple(sequences_shape)
        if len(shape) != 3:
            raise ValueError(f"{type(self).__name__} {self.name!r} takes inputs of shape "
                             f"(batch, timesteps, features), got shape {shape}")
        self.cell._maybe_build((shape[0], shape[2]))
        if self.stateful and self.states is None:
            if shape[0] is None:
                raise ValueError(
                    f"{type(self).__name__} {self.name!r} is stateful, so its batch size must "
                    "be fixed: pass batch_size= to keras.Input (or batch_input_shape to the "
                    "first layer) and the same batch_size to fit")
            self.states = [self.add_weight(shape=(shape[0], n), initializer="zeros",
                                           trainable=False, name=f"state_{i}")
                           for i, n in enumerate(self.state_size)]

    def reset_states(self, states=None):
        """Zero a stateful layer's states, or set them to ``states`` (one array per state)."""
        if not self.stateful:
            raise AttributeError(f"{type(self).__name__} {self.name!r} is not stateful: it has "
                                 "no states to reset (pass stateful=True)")
        if self.states is None:
            return
        values = [None] * len(self.states) if states is None else _as_list(states)
        if len(values) != len(self.states):
            raise ValueError(f"reset_states: {self.name!r} has {len(self.states)} states, got "
                             f"{len(values)} arrays")
        for variable, value in zip(self.states, values):
            variable.assign(get_ops().xp.zeros(variable.shape, dtype=variable.dtype)
                            if value is None else value)

    reset_state = reset_states

    # -- call -----------------------------------------------------------------------------
    def call(self, sequences, initial_state=None, mask=None, training=False):
        x = sequences
        if x.dtype.kind != "f":
            raise TypeError(f"{type(self).__name__} {self.name!r} takes float sequences, got "
                            f"dtype {x.dtype}; map tokens to vectors first (e.g. with "
                            "layers.Embedding)")
        batch, steps = x.shape[0], x.shape[1]
        if steps == 0:
            raise ValueError(f"{type(self).__name__} {self.name!r}: the sequences have 0 "
                             "timesteps")
        mask = self._check_mask(mask, batch, steps)
        states = self._check_initial_state(initial_state, batch)
        if self.stateful and self.states[0].shape[0] != batch:
            raise ValueError(f"{type(self).__name__} {self.name!r} is stateful with batch size "
                             f"{self.states[0].shape[0]}, got a batch of {batch}; use the same "
                             "batch_size in every call (and drop the last, smaller batch)")
        plan = self._fused_plan(training)
        if plan is not None:
            outputs = self._run_fused(x, states, mask, training, plan)
        else:
            outputs = self._run_steps(x, states, mask, training)
        if self.activity_regularizer is not None:
            for out in _as_list(outputs):
                self.add_loss(F.divide(self.activity_regularizer(out), batch))
        return outputs

    def _check_mask(self, mask, batch, steps):
        if isinstance(mask, (list, tuple)):  # the mask of a list input: the sequences' one
            mask = mask[0]
        if mask is None:
            return None
        if not isinstance(mask, Tensor):
            mask = Tensor(get_ops().asarray(mask))
        if tuple(mask.shape) != (batch, steps):
            raise ValueError(f"{type(self).__name__} {self.name!r}: the mask must have shape "
                             f"(batch, timesteps) = {(batch, steps)}, got {tuple(mask.shape)}")
        return mask

    def _check_initial_state(self, initial_state, batch):
        """The initial states as a flat list of tensors (the layer's states when stateful),
        or None for zeros."""
        sizes = self.state_size
        if initial_state is None:
            return list(self.states) if self.stateful else None
        given = _as_list(initial_state)
        if len(given) == 1 and isinstance(given[0], (list, tuple)):
            given = list(given[0])
        given = [g if isinstance(g, Tensor) else self._to_tensor(g) for g in given]
        expected = [(batch, n) for n in sizes]
        got = [tuple(g.shape) for g in given]
        if got != expected:
            raise ValueError(
                f"{type(self).__name__} {self.name!r}: initial_state must be {len(sizes)} "
                f"tensor(s) of shape {expected} (one per state, (batch, state size)), got "
                f"{len(got)} of shape {got}")
        return given

    def _always_fused(self):
        """Whether every call (training or not) runs as one fused Function."""
        cell = self.cell
        return (type(cell) in _FUSED_KINDS and not self.unroll and cell.recurrent_dropout == 0
                and cell.fused_activations() is not None)

    def _initial_states(self, batch, dtype):
        """Zero states for a call without ``initial_state``. The built-in cells' zeros are
        made once per batch size and reused: the same constant at every step, so a recorded
        step can be replayed (a user's cell's ``get_initial_state`` runs every call)."""
        cell = self.cell
        cells = cell.cells if isinstance(cell, StackedRNNCells) else [cell]
        builtin = all(type(c) in _FUSED_KINDS for c in cells)
        key = (batch, str(dtype))
        if builtin and key in self._zero_states:
            return list(self._zero_states[key])
        make = getattr(cell, "get_initial_state", None)
        states = _as_list(make(batch)) if make is not None else \
            zero_states(batch, self.state_size, dtype)
        if builtin:
            self._zero_states[key] = list(states)
        return states

    def _fused_plan(self, training):
        """(kind, activation, recurrent activation) when the cell runs as one Function."""
        cell = self.cell
        kind = _FUSED_KINDS.get(type(cell))
        if kind is None or self.unroll or (training and cell.recurrent_dropout > 0):
            return None
        names = cell.fused_activations()
        return None if names is None else (kind,) + names

    def _run_fused(self, x, states, mask, training, plan):
        kind, activation, recurrent_activation = plan
        cell = self.cell
        if training and cell.dropout > 0:  # one mask for every step (Keras's implementation 2)
            x = F.dropout(x, cell.dropout, (x.shape[0], 1, x.shape[2]), rng=cell.generator())
        out = F.rnn_sequence(
            kind, x, cell.kernel, cell.recurrent_kernel, cell.bias, mask=mask,
            initial_state=states, state_targets=self.states if self.stateful else None,
            reset_after=getattr(cell, "reset_after", True), activation=activation,
            recurrent_activation=recurrent_activation, go_backwards=self.go_backwards,
            return_sequences=self.return_sequences, return_state=self.return_state,
            zero_output_for_mask=self.zero_output_for_mask)
        if not self.return_state:
            return out
        n_out = x.shape[1] if self.return_sequences else 1
        output = out[:, :n_out] if self.return_sequences else out[:, 0]
        return [output] + [out[:, n_out + k] for k in range(len(self.state_size))]

    def _run_steps(self, x, states, mask, training):
        cell, batch, steps = self.cell, x.shape[0], x.shape[1]
        if states is None:
            states = self._initial_states(batch, x.dtype)
        elif self.stateful:  # the variables are overwritten below: read copies
            states = [Tensor(s.data.copy()) for s in states]
        for reset in ("reset_dropout_mask", "reset_recurrent_dropout_mask"):
            if hasattr(cell, reset):
                getattr(cell, reset)()
        # the state a masked step's output repeats: the (last) cell's first state
        out_state = len(self.state_size) - len(_sizes(cell.cells[-1].state_size)) \
            if isinstance(cell, StackedRNNCells) else 0
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs, previous = [], None
        for t in order:
            x_t = F.getitem(x, (slice(None), t))
            output, new_states = cell(x_t, states, training=training)
            new_states = _as_list(new_states)
            if mask is not None:
                m = F.getitem(mask, (slice(None), slice(t, t + 1)))
                new_states = [F.where_mask(m, n, s) for n, s in zip(new_states, states)]
                if self.zero_output_for_mask:
                    output = F.where_mask(m, output, 0.0)
                else:
                    output = F.where_mask(m, output, states[out_state])
            states = new_states
            if self.return_sequences:
                outputs.append(output)
            previous = output
        if self.stateful:
            with no_grad():
                for variable, state in zip(self.states, states):
                    variable.assign(state.data)
        output = F.stack(outputs, axis=1) if self.return_sequences else previous
        return [output] + states if self.return_state else output

    # -- shapes, masks, config --------------------------------------------------------------
    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        out = (batch, steps, self.output_size) if self.return_sequences else \
            (batch, self.output_size)
        if self.return_state:
            return [out] + [(batch, n) for n in self.state_size]
        return out

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        if self.return_state:
            return [output_mask] + [None] * len(self.state_size)
        return output_mask

    def _rnn_config(self):
        return {"return_sequences": self.return_sequences, "return_state": self.return_state,
                "go_backwards": self.go_backwards, "stateful": self.stateful,
                "unroll": self.unroll, "zero_output_for_mask": self.zero_output_for_mask,
                "activity_regularizer": registry.serialize(self.activity_regularizer)}

    def get_config(self):
        return {**super().get_config(), **self._rnn_config(),
                "cell": registry.serialize(self.cell)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cell = LAYERS.from_config(config.pop("cell"))
        return cls(cell, **config)


class _CellLayer(RNN):
    """SimpleRNN / LSTM / GRU: an RNN whose cell is built from the layer's own arguments (its
    config is the cell's arguments and the RNN's, flat, as Keras writes it)."""

    cell_class = None
    #: the cell arguments that appear in the layer's config
    cell_args = ()

    def __init__(self, units, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, zero_output_for_mask=False,
                 activity_regularizer=None, name=None, trainable=True, dtype=None,
                 input_shape=None, input_dim=None, batch_size=None, **cell_kwargs):
        unknown = sorted(set(cell_kwargs) - set(self.cell_args))
        if unknown:
            raise TypeError(f"{type(self).__name__}: unexpected argument(s) {unknown}; the "
                            f"cell takes {sorted(self.cell_args)}")
        cell = self.cell_class(units, dtype=dtype, trainable=trainable,
                               name=f"{to_snake_case(type(self).__name__)}_cell", **cell_kwargs)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         zero_output_for_mask=zero_output_for_mask,
                         activity_regularizer=activity_regularizer, name=name,
                         trainable=trainable, dtype=dtype, input_shape=input_shape,
                         input_dim=input_dim, batch_size=batch_size)

    def __getattr__(self, name):
        # Keras exposes the cell's settings on the layer (layer.units, layer.dropout, ...)
        cell = self.__dict__.get("cell")
        if cell is not None and (name in type(self).cell_args or name == "units"):
            return getattr(cell, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def get_config(self):
        cell = self.cell.get_config()
        for key in ("name", "trainable", "dtype"):
            cell.pop(key, None)
        return {**Layer.get_config(self), **self._rnn_config(), **cell}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_COMMON_CELL_ARGS = ("activation", "use_bias", "kernel_initializer", "recurrent_initializer",
                     "bias_initializer", "kernel_regularizer", "recurrent_regularizer",
                     "bias_regularizer", "kernel_constraint", "recurrent_constraint",
                     "bias_constraint", "dropout", "recurrent_dropout", "seed")


@register_layer("SimpleRNN")
class SimpleRNN(_CellLayer):
    """Fully connected RNN whose output is fed back: ``h_t = activation(x_t @ kernel + h_{t-1}
    @ recurrent_kernel + bias)``.

    Args:
        units: size of the state and the output.
        activation: default "tanh"; ``use_bias``, ``kernel_initializer``
            ("glorot_uniform"), ``recurrent_initializer`` ("orthogonal"),
            ``bias_initializer`` ("zeros"), the regularizers and constraints, ``dropout``,
            ``recurrent_dropout`` and ``seed`` are the cell's (see :class:`SimpleRNNCell`).
        return_sequences: with ``return_state``, ``go_backwards``, ``stateful``, ``unroll``,
            ``zero_output_for_mask`` and ``activity_regularizer``: see :class:`RNN`.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``, ``batch_size``.

    Example:
        >>> SimpleRNN(4)(np.ones((2, 5, 3))).shape
        (2, 4)
    """

    traceable = True

    cell_class = SimpleRNNCell
    cell_args = _COMMON_CELL_ARGS


@register_layer("LSTM")
class LSTM(_CellLayer):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997), Keras's gates i, f, c,
    o and weights ``kernel (features, 4 units)``, ``recurrent_kernel (units, 4 units)``,
    ``bias (4 units,)``.

    Args:
        units: size of the states and the output.
        activation: default "tanh"; ``recurrent_activation`` ("sigmoid"),
            ``unit_forget_bias`` (True) and the other cell arguments: see :class:`LSTMCell`
            and :class:`SimpleRNN`.
        return_sequences: with ``return_state``, ``go_backwards``, ``stateful``, ``unroll``,
            ``zero_output_for_mask`` and ``activity_regularizer``: see :class:`RNN`.

    With ``return_state`` the call returns ``[output, h, c]``.

    Example:
        >>> out, h, c = LSTM(4, return_state=True)(np.ones((2, 5, 3)))
        >>> out.shape, c.shape
        ((2, 4), (2, 4))
    """

    traceable = True

    cell_class = LSTMCell
    cell_args = _COMMON_CELL_ARGS + ("recurrent_activation", "unit_forget_bias")

    def __init__(self, units, *args, use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"LSTM: use_cudnn must be 'auto', True or False, got "
                             f"use_cudnn={use_cudnn!r}")
        if use_cudnn is True:
            raise ValueError("LSTM: use_cudnn=True asks for NVIDIA's cuDNN kernel, which "
                             "neurona does not use; 'auto' (the default) runs neurona's fused "
                             "LSTM on every backend")
        super().__init__(units, *args, **kwargs)
        self.use_cudnn = use_cudnn


@register_layer("GRU")
class GRU(_CellLayer):
    """Gated Recurrent Unit layer (Cho et al., 2014), Keras's gates z, r, h; with
    ``reset_after=True`` (the default, cuDNN's and PyTorch's formula) the bias has shape
    ``(2, 3 units)``.

    Args:
        units: size of the state and the output.
        activation: default "tanh"; ``recurrent_activation`` ("sigmoid"), ``reset_after``
            (True) and the other cell arguments: see :class:`GRUCell` and :class:`SimpleRNN`.
        return_sequences: with ``return_state``, ``go_backwards``, ``stateful``, ``unroll``,
            ``zero_output_for_mask`` and ``activity_regularizer``: see :class:`RNN`.

    Example:
        >>> GRU(4, return_sequences=True)(np.ones((2, 5, 3))).shape
        (2, 5, 4)
    """

    traceable = True

    cell_class = GRUCell
    cell_args = _COMMON_CELL_ARGS + ("recurrent_activation", "reset_after")

    def __init__(self, units, *args, use_cudnn="auto", **kwargs):
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"GRU: use_cudnn must be 'auto', True or False, got "
                             f"use_cudnn={use_cudnn!r}")
        if use_cudnn is True:
            raise ValueError("GRU: use_cudnn=True asks for NVIDIA's cuDNN kernel, which neurona "
                             "does not use; 'auto' (the default) runs neurona's fused GRU on "
                             "every backend")
        super().__init__(units, *args, **kwargs)
        self.use_cudnn = use_cudnn
