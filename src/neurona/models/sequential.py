"""``Sequential``: a plain stack of layers, each feeding the next."""

from ..layers.input_layer import InputLayer
from ..layers.symbolic import SymbolicTensor
from ..layers.layer import Layer, register_layer
from .model import Model


@register_layer("Sequential")
class Sequential(Model):
    """A linear stack of layers (Keras's ``keras.Sequential``).

    The input shape comes from ``input_shape=`` on the first layer, from a leading
    ``keras.Input(shape=...)``, or from the first data the model sees; once known, every layer
    is built and ``summary()`` works.

    Args:
        layers: list of layers (optional; see :meth:`add`).
        name, trainable: as for layers.

    Example:
        >>> import neurona as keras
        >>> model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=[4]),
        ...                           keras.layers.Dense(1)])
        >>> model.output_shape
        (None, 1)
    """

    def __init__(self, layers=None, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._stack = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        """The layers, without the input placeholder (as in Keras)."""
        return list(self._stack)

    def add(self, layer):
        """Append a layer (or a ``keras.Input(...)`` as the first element)."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer
        if isinstance(layer, InputLayer):
            if self._stack or self._input_layer is not None:
                raise ValueError("Sequential: an Input can only be the first element")
            self._input_layer = layer
            self.dtype = layer.dtype  # inputs are cast to the model's dtype
            self._build_from((layer.batch_size,) + layer.shape)
            return
        if not isinstance(layer, Layer):
            raise TypeError(f"Sequential.add expects a layer, got {layer!r}")
        if any(layer is other for other in self._stack):
            raise ValueError(f"Layer {layer.name!r} is already in this model")
        self._stack.append(layer)
        self._sublayers.append(layer)
        if len(self._stack) == 1 and self._input_layer is None:
            self.dtype = layer.dtype  # a float64 stack takes float64 inputs
        if len(self._stack) == 1 and self._input_layer is None and layer._declared_input_shape:
            self._build_from((layer._declared_batch_size,) + layer._declared_input_shape)
        elif self.built:
            layer._maybe_build(self._last_output_shape)
            self._last_output_shape = layer.compute_output_shape(self._last_output_shape)

    def pop(self):
        """Remove and return the last layer."""
        if not self._stack:
            raise ValueError("Sequential.pop: the model has no layers")
        layer = self._stack.pop()
        self._sublayers.remove(layer)
        if self.built:
            self._rebuild_shapes()
        return layer

    def _build_from(self, input_shape):
        self._build_input_shape = tuple(input_shape)
        self.built = True
        self._rebuild_shapes()

    def _rebuild_shapes(self):
        shape = self._build_input_shape
        for layer in self._stack:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self._last_output_shape = shape

    def build(self, input_shape=None):
        if input_shape is None:
            raise ValueError("Sequential.build needs input_shape (with the batch axis, e.g. (None, 13))")
        if not self.built:
            self._build_from(tuple(input_shape))

    def _maybe_build(self, input_shape):
        if not self.built:
            self._build_from((None,) + tuple(input_shape[1:]))

    def call(self, inputs, training=False):
        x = inputs
        for layer in self._stack:
            x = layer._call_eager(x, training=training)
        return x

    def _trusted_forward(self, x, training):
        """The training step's forward: shapes were checked once against the data, so each
        layer's ``call`` runs directly, without the per-call checks of ``__call__``.

        A convolution that feeds a max or min pooling runs with it as one step (see
        ``BaseConv.fuses_with``): the same values and gradients, computing only the outputs
        the pooling reads, in an order that makes each window a contiguous block.
        """
        stack, i = self._stack, 0
        while i < len(stack):
            layer = stack[i]
            following = stack[i + 1] if i + 1 < len(stack) else None
            fuses_with = getattr(layer, "fuses_with", None)
            if following is not None and fuses_with is not None and fuses_with(following):
                x = layer.call_then_pool(x, following)
                i += 2
                continue
            if layer._call_takes_training:
                x = layer.call(x, training=training)
            else:
                x = layer.call(x)
            i += 1
        return x

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._stack:
            shape = layer.compute_output_shape(shape)
        return shape

    def _input_shapes(self):
        return None if not self.built else [self._build_input_shape]

    def _output_shapes(self):
        return None if not self.built else [self._last_output_shape]

    def get_config(self):
        from ..registry import serialize

        layers = [serialize(layer) for layer in self._stack]
        config = {"name": self.name, "trainable": self.trainable, "layers": layers}
        if self.built:
            config["build_input_shape"] = list(self._build_input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..layers.layer import LAYERS
        from ..saving.object_registration import custom_object_scope

        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        shape = config.get("build_input_shape")
        if shape is not None:
            first = (config["layers"][0].get("config") or {}) if config["layers"] else {}
            model.add(InputLayer(batch_shape=shape, dtype=first.get("dtype")))
        with custom_object_scope(custom_objects):
            for layer_config in config["layers"]:
                model.add(LAYERS.from_config(layer_config))
        return model
