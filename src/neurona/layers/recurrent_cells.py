"""Recurrent cells: one timestep of SimpleRNN, LSTM and GRU (Keras's ``SimpleRNNCell``,
``LSTMCell``, ``GRUCell``), and ``StackedRNNCells``.

A cell holds the weights (Keras's names, shapes and gate order) and computes one step with
:mod:`neurona.functions`: ``call(inputs, states, training=False) -> (output, new_states)``.
``keras.layers.RNN(cell)`` runs a cell over a sequence; for these built-in cells with
activations that can be fused and no recurrent dropout in training, the recurrent layers run
the whole sequence as one Function instead (:mod:`neurona.functions.recurrent`), which gives
the same values. Dropout masks follow Keras: one mask per sequence (the same at every step),
and with ``recurrent_dropout`` one mask per gate for the inputs and for the state.
"""

import numbers

import numpy as np

from .. import activations, constraints, initializers, regularizers, registry
from .. import functions as F
from ..functions.recurrent import FUSED_ACTIVATIONS
from ..autograd.tensor import Tensor
from ..backend import get_ops
from ..random import layer_generator, make_generator
from ..validation import boolean, integer
from .layer import LAYERS, Layer, register_layer

__all__ = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]


def check_rate(owner, arg, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{owner}: {arg} must be a float in [0, 1), the fraction of the units "
                         f"to drop, got {arg}={value!r}")
    return float(value)


def activation_and_name(identifier):
    """(callable, its registered name or None for a user's function)."""
    fn = activations.get(identifier)
    name = getattr(fn, "registered_name", None)
    return fn, name if name is not None and activations.ACTIVATIONS.lookup(name) is fn else None


def _slice(x, start, stop):
    return F.getitem(x, (slice(None), slice(start, stop)))


class DropoutCell(Layer):
    """Weights, activations and Keras's dropout masks shared by the built-in cells.

    The masks are drawn once and reused for every step until :meth:`reset_dropout_mask`
    (the RNN layer resets them at the start of each call), as Keras's ``DropoutRNNCell``.
    """

    gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **base):
        super().__init__(**base)
        owner = type(self).__name__
        self.units = integer(owner, "units", units, low=1)
        self.activation, self._activation_name = activation_and_name(activation)
        self.recurrent_activation, self._recurrent_activation_name = (
            activation_and_name(recurrent_activation) if recurrent_activation is not None
            else (None, None))
        self.use_bias = boolean(owner, "use_bias", use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = check_rate(owner, "dropout", dropout)
        self.recurrent_dropout = check_rate(owner, "recurrent_dropout", recurrent_dropout)
        if seed is not None:
            seed = integer(owner, "seed", seed, low=0)
        self.seed = seed
        self._rng = make_generator(seed)
        self._dropout_mask = self._recurrent_dropout_mask = None
        self.state_size = self.units
        self.output_size = self.units

    # -- weights --------------------------------------------------------------------------
    def _add_weights(self, input_dim, bias_shape, bias_initializer=None):
        width = self.gates * self.units
        self.kernel = self.add_weight(shape=(input_dim, width), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
            name="recurrent_kernel")
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(shape=bias_shape,
                                        initializer=bias_initializer or self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")

    def fused_activations(self):
        """(activation, recurrent activation) names when the fused sequence Function can run
        this cell, else None."""
        names = (self._activation_name, self._recurrent_activation_name or "sigmoid")
        return names if all(n in FUSED_ACTIVATIONS for n in names) else None

    # -- Keras's dropout masks ------------------------------------------------------------
    def generator(self):
        """The generator the masks come from: the cell's own when seeded, else fit's."""
        return layer_generator(self._rng, seeded=self.seed is not None)

    def _masks(self, like, rate, count):
        shape = tuple(like.shape)
        return [F.dropout_keep_mask(shape, rate, self.generator(), like.dtype)
                for _ in range(count)]

    def get_dropout_mask(self, step_input):
        """The input dropout masks of this sequence (a list: one per gate with recurrent
        dropout, as Keras's implementation 1, else one), or None without dropout."""
        if self._dropout_mask is None and self.dropout > 0:
            count = self.gates if self.recurrent_dropout > 0 else 1
            self._dropout_mask = self._masks(step_input, self.dropout, count)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, state):
        """The recurrent dropout masks of this sequence (one per gate), or None."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._masks(state, self.recurrent_dropout, self.gates)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _dropped_inputs(self, inputs, training):
        """The inputs seen by each gate (a list of ``gates`` tensors) and whether they differ."""
        masks = self.get_dropout_mask(inputs) if training and self.dropout > 0 else None
        if masks is None:
            return [inputs] * self.gates, False
        if len(masks) == 1:
            return [F.multiply(inputs, masks[0])] * self.gates, False
        return [F.multiply(inputs, m) for m in masks], True

    def _dropped_state(self, h, training):
        masks = (self.get_recurrent_dropout_mask(h)
                 if training and self.recurrent_dropout > 0 else None)
        if masks is None:
            return [h] * self.gates, False
        return [F.multiply(h, m) for m in masks], True

    def _projections(self, inputs, h, training):
        """Per gate: (x_g @ kernel_g + bias_g, h_g @ recurrent_kernel_g), the bias being the
        input bias; one product each when no per-gate mask splits them."""
        units, gates = self.units, self.gates
        xs, x_split = self._dropped_inputs(inputs, training)
        hs, h_split = self._dropped_state(h, training)
        bias = self._input_bias()
        if x_split:
            x_parts = [F.add(F.matmul(x, _slice(self.kernel, g * units, (g + 1) * units)),
                             _slice_bias(bias, g * units, (g + 1) * units))
                       if bias is not None else
                       F.matmul(x, _slice(self.kernel, g * units, (g + 1) * units))
                       for g, x in enumerate(xs)]
        else:
            z = F.dense(xs[0], self.kernel, bias) if bias is not None else \
                F.matmul(xs[0], self.kernel)
            x_parts = [_slice(z, g * units, (g + 1) * units) for g in range(gates)]
        if h_split:
            h_parts = [F.matmul(hg, _slice(self.recurrent_kernel, g * units, (g + 1) * units))
                       for g, hg in enumerate(hs)]
        else:
            r = F.matmul(hs[0], self.recurrent_kernel)
            h_parts = [_slice(r, g * units, (g + 1) * units) for g in range(gates)]
        return x_parts, h_parts, hs

    def _input_bias(self):
        return self.bias

    def get_initial_state(self, batch_size=None):
        """Zero states, one (batch_size, units) tensor per state."""
        return zero_states(batch_size, _sizes(self.state_size), self.dtype)

    def get_config(self):
        config = {**super().get_config(), "units": self.units,
                  "activation": activations.serialize(self.activation),
                  "use_bias": self.use_bias,
                  "kernel_initializer": registry.serialize(self.kernel_initializer),
                  "recurrent_initializer": registry.serialize(self.recurrent_initializer),
                  "bias_initializer": registry.serialize(self.bias_initializer),
                  "kernel_regularizer": registry.serialize(self.kernel_regularizer),
                  "recurrent_regularizer": registry.serialize(self.recurrent_regularizer),
                  "bias_regularizer": registry.serialize(self.bias_regularizer),
                  "kernel_constraint": registry.serialize(self.kernel_constraint),
                  "recurrent_constraint": registry.serialize(self.recurrent_constraint),
                  "bias_constraint": registry.serialize(self.bias_constraint),
                  "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                  "seed": self.seed}
        if self.recurrent_activation is not None:
            config["recurrent_activation"] = activations.serialize(self.recurrent_activation)
        return config


def _slice_bias(bias, start, stop):
    return F.getitem(bias, slice(start, stop))


def _states_list(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


@register_layer("SimpleRNNCell")
class SimpleRNNCell(DropoutCell):
    """One step of a fully connected RNN: ``h = activation(x @ kernel + h @ recurrent_kernel +
    bias)``.

    Args:
        units: size of the state and the output.
        activation: default "tanh".
        use_bias: with ``kernel_initializer`` ("glorot_uniform"), ``recurrent_initializer``
            ("orthogonal"), ``bias_initializer`` ("zeros"), the regularizers and the
            constraints: as Keras.
        dropout, recurrent_dropout: fractions of the inputs / of the state to drop in training.
        seed: seed of the dropout masks.
        **base: ``name``, ``trainable``, ``dtype``.

    Example:
        >>> cell = SimpleRNNCell(4)
        >>> out, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
        >>> out.shape, len(states)
        ((2, 4), 1)
    """

    traceable = True

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, **base):
        super().__init__(units, activation, None, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **base)

    def build(self, input_shape):
        self._add_weights(input_shape[-1], (self.units,))

    def call(self, inputs, states, training=False):
        h = _states_list(states)[0]
        (x_part,), (h_part,), _ = self._projections(inputs, h, training)
        out = self.activation(F.add(x_part, h_part))
        return out, [out]


def _forget_bias_initializer(initializer, units):
    """Keras's ``unit_forget_bias``: the bias initializer for i, c, o and ones for f."""

    def init(shape, dtype=None, rng=None):
        parts = [initializer((units,), dtype=dtype, rng=rng), np.ones((units,), dtype=dtype),
                 initializer((2 * units,), dtype=dtype, rng=rng)]
        return np.concatenate([np.asarray(p, dtype=dtype) for p in parts])

    return init


@register_layer("LSTMCell")
class LSTMCell(DropoutCell):
    """One LSTM step (Hochreiter & Schmidhuber, 1997) with Keras's gates i, f, c, o:
    ``c = f c_prev + i activation(z_c)``, ``h = o activation(c)``, the gates
    ``recurrent_activation(z)`` of ``z = x @ kernel + h_prev @ recurrent_kernel + bias``.

    Args:
        units: size of the states and the output.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        unit_forget_bias: start the forget gate's bias at 1 (and use zeros for the rest).
        Others: as :class:`SimpleRNNCell`.

    States: ``[h, c]``.

    Example:
        >>> cell = LSTMCell(4)
        >>> out, (h, c) = cell(np.ones((2, 3)), [np.zeros((2, 4)), np.zeros((2, 4))])
        >>> out.shape, c.shape
        ((2, 4), (2, 4))
    """

    traceable = True

    gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **base):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **base)
        self.unit_forget_bias = boolean("LSTMCell", "unit_forget_bias", unit_forget_bias)
        self.state_size = [self.units, self.units]

    def build(self, input_shape):
        init = (_forget_bias_initializer(self.bias_initializer, self.units)
                if self.unit_forget_bias else None)
        self._add_weights(input_shape[-1], (4 * self.units,), init)

    def call(self, inputs, states, training=False):
        h, c = _states_list(states)[:2]
        (xi, xf, xc, xo), (hi, hf, hc, ho), _ = self._projections(inputs, h, training)
        ract, act = self.recurrent_activation, self.activation
        i = ract(F.add(xi, hi))
        f = ract(F.add(xf, hf))
        c = F.add(F.multiply(f, c), F.multiply(i, act(F.add(xc, hc))))
        o = ract(F.add(xo, ho))
        h = F.multiply(o, act(c))
        return h, [h, c]

    def get_config(self):
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


@register_layer("GRUCell")
class GRUCell(DropoutCell):
    """One GRU step (Cho et al., 2014) with Keras's gates z, r, h:
    ``h = z h_prev + (1 - z) hh``; with ``reset_after`` (default, cuDNN's and PyTorch's
    form) ``hh = activation(x W_h + b_h + r (h_prev U_h + b'_h))`` and the bias has shape
    ``(2, 3 units)`` (input bias, recurrent bias); without it ``hh = activation(x W_h + (r
    h_prev) U_h + b_h)`` and the bias is ``(3 units,)``.

    Args:
        units: size of the state and the output.
        activation: default "tanh"; recurrent_activation: default "sigmoid".
        reset_after: see above.
        Others: as :class:`SimpleRNNCell`.

    Example:
        >>> cell = GRUCell(4)
        >>> out, states = cell(np.ones((2, 3)), [np.zeros((2, 4))])
        >>> out.shape
        (2, 4)
    """

    traceable = True

    gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, reset_after=True,
                 seed=None, **base):
        super().__init__(units, activation, recurrent_activation, use_bias, kernel_initializer,
                         recurrent_initializer, bias_initializer, kernel_regularizer,
                         recurrent_regularizer, bias_regularizer, kernel_constraint,
                         recurrent_constraint, bias_constraint, dropout, recurrent_dropout,
                         seed, **base)
        self.reset_after = boolean("GRUCell", "reset_after", reset_after)

    def build(self, input_shape):
        shape = (2, 3 * self.units) if self.reset_after else (3 * self.units,)
        self._add_weights(input_shape[-1], shape)

    def _input_bias(self):
        if self.bias is None or not self.reset_after:
            return self.bias
        return F.getitem(self.bias, 0)

    def call(self, inputs, states, training=False):
        units = self.units
        h = _states_list(states)[0]
        ract, act = self.recurrent_activation, self.activation
        if self.reset_after:
            (xz, xr, xh), (hz, hr, hh), _ = self._projections(inputs, h, training)
            if self.bias is not None:
                rb = F.getitem(self.bias, 1)
                hz = F.add(hz, _slice_bias(rb, 0, units))
                hr = F.add(hr, _slice_bias(rb, units, 2 * units))
                hh = F.add(hh, _slice_bias(rb, 2 * units, 3 * units))
            z = ract(F.add(xz, hz))
            r = ract(F.add(xr, hr))
            candidate = act(F.add(xh, F.multiply(r, hh)))
        else:
            (xz, xr, xh), (hz, hr, _), h_gates = self._projections(inputs, h, training)
            z = ract(F.add(xz, hz))
            r = ract(F.add(xr, hr))
            u_h = _slice(self.recurrent_kernel, 2 * units, 3 * units)
            candidate = act(F.add(xh, F.matmul(F.multiply(r, h_gates[2]), u_h)))
        out = F.add(F.multiply(z, h), F.multiply(F.subtract(1.0, z), candidate))
        return out, [out]

    def get_config(self):
        return {**super().get_config(), "reset_after": self.reset_after}


@register_layer("StackedRNNCells")
class StackedRNNCells(Layer):
    """Cells run one after the other at each step (each cell's output is the next one's
    input): ``RNN(StackedRNNCells([...]))``, what ``RNN([cell, cell])`` builds.

    States are the cells' states one after the other (flat: ``[h1, h2, c2]`` for a GRUCell
    then an LSTMCell); the output is the last cell's.

    Example:
        >>> cells = StackedRNNCells([SimpleRNNCell(3), LSTMCell(2)])
        >>> cells.state_size
        [3, 2, 2]
    """

    traceable = True

    def __init__(self, cells, **base):
        super().__init__(**base)
        cells = list(cells)
        if not cells or not all(hasattr(c, "call") and hasattr(c, "state_size") for c in cells):
            raise ValueError("StackedRNNCells: cells must be a non-empty list of RNN cells "
                             "(layers with call(inputs, states) and a state_size)")
        self.cells = cells

    @property
    def state_size(self):
        return [n for c in self.cells for n in _sizes(c.state_size)]

    @property
    def output_size(self):
        last = self.cells[-1]
        return getattr(last, "output_size", _sizes(last.state_size)[0])

    def build(self, input_shape):
        shape = tuple(input_shape)
        for cell in self.cells:
            cell._maybe_build(shape)
            shape = shape[:-1] + (getattr(cell, "output_size", _sizes(cell.state_size)[0]),)

    def call(self, inputs, states, training=False):
        states, new_states, x = _states_list(states), [], inputs
        for cell in self.cells:
            n = len(_sizes(cell.state_size))
            own, states = states[:n], states[n:]
            kwargs = {"training": training} if cell._call_takes_training else {}
            x, out_states = cell.call(x, own, **kwargs)
            new_states.extend(_states_list(out_states))
        return x, new_states

    def reset_dropout_mask(self):
        for cell in self.cells:
            if hasattr(cell, "reset_dropout_mask"):
                cell.reset_dropout_mask()
                cell.reset_recurrent_dropout_mask()

    def get_initial_state(self, batch_size=None):
        out = []
        for cell in self.cells:
            make = getattr(cell, "get_initial_state", None)
            out.extend(_states_list(make(batch_size)) if make is not None else
                       zero_states(batch_size, _sizes(cell.state_size), cell.dtype))
        return out

    def get_config(self):
        return {**super().get_config(), "cells": [registry.serialize(c) for c in self.cells]}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cells = [LAYERS.from_config(c) for c in config.pop("cells")]
        return cls(cells, **config)


def _sizes(state_size):
    return list(state_size) if isinstance(state_size, (list, tuple)) else [state_size]


def zero_states(batch_size, sizes, dtype):
    """One zero (batch_size, n) tensor per size."""
    return [Tensor(get_ops().xp.zeros((batch_size, n), dtype=dtype)) for n in sizes]
