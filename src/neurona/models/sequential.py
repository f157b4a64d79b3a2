"""``Sequential``: a plain stack of layers, each feeding the next.

Once its input shape is known a Sequential builds the same graph a functional model has (an
``InputLayer`` and one node per layer, as Keras 3 does), so everything that works on graphs
(the trusted forward, the rewrites of :mod:`~neurona.models.fusion`, ``inputs``/``outputs``)
works on both alike.
"""

from ..layers.input_layer import InputLayer
from ..layers.symbolic import SymbolicTensor
from ..layers.layer import Layer, register_layer
from .functional import Graph
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

    traceable = True

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
            if layer.dtype.startswith("float"):  # a string or integer Input feeds lookups
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
            self._outputs.append(layer(self._outputs[-1]))
            self._graph = Graph(self._outputs[0], self._outputs[-1])

    def pop(self):
        """Remove and return the last layer."""
        if not self._stack:
            raise ValueError("Sequential.pop: the model has no layers")
        layer = self._stack.pop()
        self._sublayers.remove(layer)
        if self.built:
            node = self._outputs.pop().node
            layer._inbound_nodes.remove(node)
            self._graph = Graph(self._outputs[0], self._outputs[-1])
        return layer

    @property
    def _last_output_shape(self):
        return self._outputs[-1].shape

    def _build_from(self, input_shape):
        """Build every layer for ``input_shape`` (batch axis first) and the graph."""
        self._build_input_shape = tuple(input_shape)
        self.built = True
        if self._input_layer is None or \
                (self._input_layer.batch_size,) + self._input_layer.shape != input_shape:
            self._input_layer = InputLayer(batch_shape=input_shape, dtype=self.dtype,
                                           name=f"{self.name}_input")
        self._outputs = [self._input_layer.output]
        for layer in self._stack:
            self._outputs.append(layer(self._outputs[-1]))
        self._graph = Graph(self._outputs[0], self._outputs[-1])

    def build(self, input_shape=None):
        if input_shape is None:
            raise ValueError("Sequential.build needs input_shape (with the batch axis, e.g. (None, 13))")
        if not self.built:
            self._build_from(tuple(input_shape))

    def _maybe_build(self, input_shape):
        if not self.built:
            self._build_from((None,) + tuple(input_shape[1:]))

    def call(self, inputs, training=False):
        if not self.built:
            self._maybe_build(tuple(inputs.shape))
        return self._graph.run([inputs], training)

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
