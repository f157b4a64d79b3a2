"""``Model``: a layer that trains. Functional (``Model(inputs, outputs)``) or subclassed."""

from .. import validation
from ..autograd.tensor import Tensor
from ..layers.layer import Layer, register_layer
from .trainer import Trainer


@register_layer("Model", "Functional")
class Model(Trainer, Layer):
    """A network you can ``compile``, ``fit``, ``evaluate``, ``predict``, ``summary`` and ``save``.

    Two ways to make one, as in Keras:

    * functional: ``Model(inputs, outputs)`` with ``inputs`` from :func:`neurona.Input` and
      ``outputs`` the result of calling layers on them;
    * subclassing: define layers in ``__init__`` (after ``super().__init__()``) and the forward
      pass in ``call(self, inputs, training=False)``.

    Args:
        inputs, outputs: the functional graph's ends (symbolic tensors, lists or dicts of them).
        name, trainable: as for layers.

    Example:
        >>> import neurona as keras
        >>> inputs = keras.Input(shape=(3,))
        >>> outputs = keras.layers.Dense(1)(keras.layers.Dense(4, activation="relu")(inputs))
        >>> model = keras.Model(inputs, outputs)
        >>> model.predict(np.zeros((2, 3)), verbose=0).shape
        (2, 1)
    """

    traceable = True

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True, dtype=None):
        super().__init__(name=name, trainable=trainable, dtype=dtype)
        self._graph = None
        self._init_trainer()
        if inputs is not None or outputs is not None:
            if inputs is None or outputs is None:
                raise ValueError("A functional Model needs both inputs= and outputs=")
            from .functional import Graph

            self._graph = Graph(inputs, outputs)
            self._sublayers = [layer for layer in self._graph.layers()]
            self.built = True

    # -- structure ------------------------------------------------------------------------------
    @property
    def layers(self):
        """The model's layers (for functional models, InputLayers included, as in Keras)."""
        if self._graph is not None:
            return self._graph.layers()
        return list(self._sublayers)

    def get_layer(self, name=None, index=None):
        """A layer by ``name`` or by position ``index`` in :attr:`layers`."""
        if (name is None) == (index is None):
            raise ValueError("get_layer: pass exactly one of name= or index=")
        layers = self.layers
        if index is not None:
            index = validation.integer("get_layer", "index", index)
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range; the model has "
                                 f"{len(layers)} layers")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"get_layer: no layer named {name!r}; layers are "
                         f"{[layer.name for layer in layers]}")

    @property
    def inputs(self):
        return None if self._graph is None else list(self._graph.inputs)

    @property
    def outputs(self):
        return None if self._graph is None else list(self._graph.outputs)

    @property
    def input_shape(self):
        shapes = self._input_shapes()
        if shapes is None:
            raise AttributeError(f"Model {self.name!r} has no defined input shape yet")
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self):
        shapes = self._output_shapes()
        if shapes is None:
            raise AttributeError(f"Model {self.name!r} has no defined output shape yet")
        return shapes[0] if len(shapes) == 1 else shapes

    def _input_shapes(self):
        if self._graph is not None:
            return [t.shape for t in self._graph.inputs]
        if self._build_input_shape is not None:
            shape = self._build_input_shape
            if isinstance(shape, dict):  # in sorted key order, as the data's arrays flatten
                return [tuple(shape[k]) for k in sorted(shape)]
            return [tuple(shape)] if isinstance(shape, tuple) else [tuple(s) for s in shape]
        return None

    def _output_shapes(self):
        if self._graph is not None:
            return [t.shape for t in self._graph.outputs]
        shapes = self._input_shapes()
        if shapes is None:
            return None
        out = self.compute_output_shape(shapes[0] if len(shapes) == 1 else shapes)
        return out if isinstance(out, list) else [out]

    # -- forward --------------------------------------------------------------------------------
    def call(self, inputs, training=False):
        if self._graph is None:
            raise NotImplementedError(
                f"{type(self).__name__} is a subclassed Model: define call(self, inputs, training=False)"
            )
        values = inputs if isinstance(inputs, (list, tuple)) else (
            [inputs[k] for k in self._graph.input_names] if isinstance(inputs, dict) else [inputs])
        if len(values) != len(self._graph.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self._graph.inputs)} inputs, got "
                             f"{len(values)}")
        return self._graph.run(values, training)

    def _trusted_forward(self, x, training):
        """The forward of training steps and predict on one input tensor: a model with a
        graph (functional or Sequential) runs it trusted and rewritten by
        :mod:`~neurona.models.fusion`; a subclassed model runs as called."""
        if self._graph is None or len(self._graph.inputs) != 1:
            return self._call_eager(x, training=training)
        return self._graph.run([x], training, trusted=True)

    def _call_trusted(self, inputs, training):
        # a model nested in another one's trusted forward runs trusted as well
        if self._graph is not None and not isinstance(inputs, (list, tuple, dict)):
            return self._trusted_forward(inputs, training)
        return Layer._call_trusted(self, inputs, training)

    def compute_output_shape(self, input_shape):
        if self._graph is not None:
            shapes = [t.shape for t in self._graph.outputs]
            return shapes[0] if len(shapes) == 1 else shapes
        return super().compute_output_shape(input_shape)

    def build(self, input_shape):
        """For subclassed models: run the model once on zeros of ``input_shape`` (a shape, or a
        list or dict of them for several inputs) to create the weights."""
        if self._graph is not None or self.built:
            return
        from ..autograd.grad_mode import no_grad
        from ..backend import get_ops
        from ..layers.layer import _map_shapes

        self.built = True  # so the call below does not recurse into build
        self._build_input_shape = input_shape if isinstance(input_shape, (list, dict)) \
            else tuple(input_shape)
        xp = get_ops().xp

        def zeros(shape):
            return Tensor(xp.zeros(tuple(1 if n is None else n for n in shape), dtype=self.dtype))

        inputs = ({k: zeros(v) for k, v in input_shape.items()} if isinstance(input_shape, dict)
                  else _map_shapes(input_shape, zeros))
        with no_grad():
            out = (self.call(inputs, training=False) if self._call_takes_training
                   else self.call(inputs))
        from .. import tree

        self._output_example = tree.map_structure(lambda t: (None,) + tuple(t.shape[1:]), out)

    def _maybe_build(self, input_shape):
        if not self.built:
            self.build(input_shape)
            self._build_input_shape = input_shape
            self.built = True

    def summary(self, line_length=None, print_fn=None, expand_nested=False, show_trainable=False):
        """Print a table of layers, output shapes and parameter counts (trainable and not)."""
        from .summary import print_summary

        print_summary(self, line_length=line_length, print_fn=print_fn,
                      expand_nested=expand_nested, show_trainable=show_trainable)

    def __call__(self, inputs, *args, training=None, **kwargs):
        return Layer.__call__(self, inputs, *args, training=training, **kwargs)

    @property
    def output_names(self):
        """The names of the outputs of a model built from ``Input`` s: the keys of its outputs
        dict, else its output layers' names (Keras's log prefixes: ``a_loss``, ``b_mae``)."""
        graph = getattr(self, "_graph", None)
        if graph is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute "
                                 "'output_names': a subclassed model's outputs have no names")
        return graph.output_names or [t.node.layer.name for t in graph.outputs]

    # -- configuration and files ------------------------------------------------------------------
    def to_json(self, **kwargs):
        """The model's configuration (no weights) as a JSON string, as Keras writes it;
        ``kwargs`` go to ``json.dumps``. :func:`neurona.models.model_from_json` reads it."""
        import json

        from ..saving import serialize_keras_object

        return json.dumps(serialize_keras_object(self), **kwargs)

    def get_config(self):
        """Functional models: layers and connections (see :mod:`neurona.models.functional_config`);
        subclassed models: the base layer config (override to add your ``__init__`` arguments)."""
        if self._graph is not None:
            from .functional_config import functional_config

            return functional_config(self)
        return Layer.get_config(self)

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuild a model from :meth:`get_config` (functional graph or constructor arguments);
        ``custom_objects`` (``{name: class or function}``) resolve names for this call only."""
        from ..saving.object_registration import custom_object_scope
        from .functional_config import functional_from_config, is_functional_config

        with custom_object_scope(custom_objects):
            if is_functional_config(config):
                return functional_from_config(cls, config)
            return cls(**config)

    def save(self, filepath, overwrite=True, zipped=None):
        """Save architecture, weights, compile settings and optimizer state to one file; the
        extension chooses the format: ``.neurona`` (neurona's) or ``.keras`` (Keras 3's, which
        ``keras.saving.load_model`` opens). See :func:`neurona.saving.save_model`.

        Args:
            filepath: ``"model.neurona"`` or ``"model.keras"``.
            overwrite: False refuses to replace an existing file.
            zipped: True or None (both formats are zip archives); False is refused.

        Example:
            >>> model.save("model.neurona")  # doctest: +SKIP
        """
        from ..saving import save_model

        save_model(self, filepath, overwrite=overwrite, zipped=zipped)

    def export(self, filepath, format="onnx", verbose=True, input_signature=None,  # noqa: A002
               opset_version=None):
        """Export the model for inference elsewhere (Keras's ``Model.export``); ``format``
        "onnx" is the one neurona writes (see :func:`neurona.export.export_onnx`).

        Args:
            filepath: the file to write (e.g. ``"model.onnx"``).
            format: "onnx".
            verbose: print where the file went.
            input_signature: optional input shapes (one per input), e.g. to fix the batch.
            opset_version: the ONNX opset (default 17).

        Example:
            >>> model.export("model.onnx", format="onnx")  # doctest: +SKIP
        """
        if format != "onnx":
            raise ValueError(f"export: format={format!r} is not supported; neurona exports "
                             "format='onnx' (TensorFlow SavedModel and OpenVINO need those "
                             "libraries' own converters)")
        from ..export import export_onnx

        export_onnx(self, filepath, opset_version=opset_version, input_signature=input_signature)
        if verbose:
            print(f"Saved the model as ONNX to {filepath}")

    def save_weights(self, filepath, overwrite=True):
        """Save only the weights: ``.weights.h5`` in Keras 3's layout, ``.neurona`` in
        neurona's archive (see :func:`neurona.saving.save_weights`)."""
        from ..saving import save_weights

        save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False):
        """Load weights from a ``.weights.h5``, ``.keras``, ``.neurona`` or legacy ``.h5``
        file into this built model (see :func:`neurona.saving.load_weights`)."""
        from ..saving import load_weights

        load_weights(self, filepath, skip_mismatch=skip_mismatch)

