"""Layer wrappers for sequences: ``Bidirectional`` (a recurrent layer run both ways) and
``TimeDistributed`` (a layer applied to every timestep), Keras's names and arguments."""

from .. import functions as F
from ..registry import serialize
from .layer import LAYERS, Layer, register_layer

__all__ = ["Bidirectional", "TimeDistributed"]

_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _strip(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


def _copy(layer, name, **changes):
    """A new layer of the same class and config (fresh weights), renamed."""
    config = serialize(layer)
    config["config"] = {**config["config"], "name": name, **changes}
    return LAYERS.from_config(config)


def _reverse_time(x):
    return F.getitem(x, (slice(None), slice(None, None, -1)))


@register_layer("Bidirectional")
class Bidirectional(Layer):
    """Run a recurrent layer forward and a copy of it backward over the sequence, and merge
    their outputs.

    Args:
        layer: the recurrent layer (``LSTM``, ``GRU``, ``SimpleRNN``, ``RNN``); the forward
            layer is a fresh copy of it named ``forward_<name>`` (its weights are not shared).
        merge_mode: "concat" (default), "sum", "mul", "ave" or None (a list of both outputs).
        weights: optional initial weights, forward layer's then backward layer's.
        backward_layer: an explicit backward layer (with ``go_backwards=True``); by default a
            copy of ``layer`` with ``go_backwards`` flipped, named ``backward_<name>``.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.

    The backward layer's output sequence is reversed back to the input's time order before
    merging; with ``return_sequences`` both layers output zeros at masked steps, as Keras.
    With ``return_state``: ``[output, *forward states, *backward states]``.

    Example:
        >>> from neurona.layers import LSTM
        >>> Bidirectional(LSTM(4, return_sequences=True))(np.ones((2, 5, 3))).shape
        (2, 5, 8)
    """

    traceable = True

    supports_masking = True

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **base):
        if not isinstance(layer, Layer) or not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional wraps a recurrent layer (LSTM, GRU, SimpleRNN, "
                             f"RNN), got {layer!r}")
        if backward_layer is not None and not hasattr(backward_layer, "go_backwards"):
            raise ValueError(f"Bidirectional: backward_layer must be a recurrent layer, got "
                             f"{backward_layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Bidirectional: merge_mode must be one of {list(_MERGE_MODES)}, "
                             f"got merge_mode={merge_mode!r}")
        super().__init__(**base)
        self.forward_layer = _copy(layer, f"forward_{_strip(layer.name, 'forward_')}")
        if backward_layer is None:
            backward_layer = _copy(layer, f"backward_{_strip(layer.name, 'backward_')}",
                                   go_backwards=not layer.go_backwards)
        self.backward_layer = backward_layer
        if self.forward_layer.go_backwards == self.backward_layer.go_backwards:
            raise ValueError("Bidirectional: the forward and backward layers must have "
                             "different go_backwards, got "
                             f"{self.forward_layer.go_backwards} for both")
        for attr in ("stateful", "return_sequences", "return_state"):
            a, b = getattr(self.forward_layer, attr), getattr(self.backward_layer, attr)
            if a != b:
                raise ValueError(f"Bidirectional: the forward and backward layers must have the "
                                 f"same {attr}, got {a} and {b}")
        for sub in (self.forward_layer, self.backward_layer):
            # masked steps output zeros, so the reversed sequence lines up with the forward one
            sub.zero_output_for_mask = sub.return_sequences
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._initial_weights = weights

    def build(self, sequences_shape, initial_state_shape=None):
        self.forward_layer._maybe_build(tuple(sequences_shape))
        self.backward_layer._maybe_build(tuple(sequences_shape))
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=False):
        forward_state = backward_state = None
        if initial_state is not None:
            states = list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
            if len(states) % 2:
                raise ValueError(f"Bidirectional {self.name!r}: initial_state must hold the "
                                 "forward layer's states then the backward layer's, got "
                                 f"{len(states)} tensors")
            half = len(states) // 2
            forward_state, backward_state = states[:half], states[half:]
        y = self.forward_layer(sequences, initial_state=forward_state, mask=mask,
                               training=training)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, mask=mask,
                                    training=training)
        states = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = _reverse_time(y_rev)
        mode = self.merge_mode
        if mode == "concat":
            output = F.concatenate([y, y_rev], axis=-1)
        elif mode == "sum":
            output = F.add(y, y_rev)
        elif mode == "ave":
            output = F.divide(F.add(y, y_rev), 2.0)
        elif mode == "mul":
            output = F.multiply(y, y_rev)
        else:
            output = [y, y_rev]
        if self.return_state:
            return (output if mode is None else [output]) + states
        return output

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = []
        if self.return_state:
            shape, states = shape[0], list(shape[1:])
        if self.merge_mode == "concat":
            shape = tuple(shape[:-1]) + (shape[-1] * 2,)
        outputs = [shape, shape] if self.merge_mode is None else [shape]
        if self.return_state:
            return outputs + states + states
        return outputs if self.merge_mode is None else shape

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        output_mask = mask if self.return_sequences else None
        masks = [output_mask, output_mask] if self.merge_mode is None else [output_mask]
        if self.return_state:
            return masks + [None] * (2 * len(self.forward_layer.state_size))
        return masks if self.merge_mode is None else output_mask

    @property
    def states(self):
        if self.forward_layer.states is None or self.backward_layer.states is None:
            return None
        return list(self.forward_layer.states) + list(self.backward_layer.states)

    def reset_states(self, states=None):
        """Zero both layers' states (or set them: the forward layer's then the backward's)."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional {self.name!r} is not stateful")
        if states is None:
            self.forward_layer.reset_states()
            self.backward_layer.reset_states()
            return
        states = list(states)
        half = len(states) // 2
        self.forward_layer.reset_states(states[:half])
        self.backward_layer.reset_states(states[half:])

    reset_state = reset_states

    def get_config(self):
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": serialize(self.forward_layer),
                "backward_layer": serialize(self.backward_layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = LAYERS.from_config(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        if backward is not None:
            backward = LAYERS.from_config(backward)
        return cls(layer, backward_layer=backward, **config)


@register_layer("TimeDistributed")
class TimeDistributed(Layer):
    """Apply ``layer`` to every timestep (axis 1) of a ``(batch, time, ...)`` input, with the
    same weights at every step.

    The timesteps are folded into the batch and the layer runs once on ``(batch * time,
    ...)``: the values of Keras's step-by-step loop for any layer that treats samples
    independently; a layer that mixes the samples of a batch (BatchNormalization) sees all
    timesteps of the batch together.

    Args:
        layer: the layer to apply.
        **base: ``name``, ``trainable``, ``dtype``, ``input_shape``.

    Example:
        >>> from neurona.layers import Dense
        >>> TimeDistributed(Dense(2))(np.ones((4, 5, 3))).shape
        (4, 5, 2)
    """

    traceable = True

    supports_masking = True

    def __init__(self, layer, **base):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed wraps a layer, got {layer!r}")
        super().__init__(**base)
        self.layer = layer

    def _child_shape(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r} needs inputs of at least 3 "
                             f"dimensions (batch, time, ...), got shape {tuple(input_shape)}")
        batch, steps = input_shape[0], input_shape[1]
        folded = None if batch is None or steps is None else batch * steps
        return (folded,) + tuple(input_shape[2:])

    def build(self, input_shape):
        self.layer._maybe_build(self._child_shape(input_shape))

    def call(self, inputs, training=False, mask=None):
        batch, steps = inputs.shape[0], inputs.shape[1]
        self._child_shape(inputs.shape)
        kwargs = {}
        if mask is not None:
            if isinstance(mask, (list, tuple)):
                mask = mask[0]
            if tuple(mask.shape[:2]) != (batch, steps):
                raise ValueError(f"TimeDistributed {self.name!r}: the mask must have shape "
                                 f"(batch, timesteps) = {(batch, steps)}, got "
                                 f"{tuple(mask.shape)}")
            if self.layer._call_takes_mask:
                kwargs["mask"] = F.reshape(mask, (batch * steps,) + tuple(mask.shape[2:]))
        folded = F.reshape(inputs, (batch * steps,) + tuple(inputs.shape[2:]))
        out = self.layer._call_eager(folded, training=training, **kwargs)
        return F.reshape(out, (batch, steps) + tuple(out.shape[1:]))

    def compute_output_shape(self, input_shape):
        child = self.layer.compute_output_shape(self._child_shape(input_shape))
        return (input_shape[0], input_shape[1]) + tuple(child[1:])

    def get_config(self):
        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(LAYERS.from_config(config.pop("layer")), **config)
