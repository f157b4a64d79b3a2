"""A small builder of ONNX graphs: unique value names, constants, nodes, and the few ops whose
form changed across opsets (reductions take their axes as an input from opset 18 on)."""

import numpy as np

#: the opset exports use unless told otherwise (supported by ONNX Runtime on servers, phones
#: and in browsers), and the oldest one the converters are written for
DEFAULT_OPSET = 17
MIN_OPSET = 13
#: the ai.onnx.ml opset (LabelEncoder) the tabular preprocessing uses
ML_OPSET = 2


def require_onnx(what="ONNX export"):
    """The ``onnx`` module, or an ImportError naming the extra."""
    try:
        import onnx
    except ImportError:
        raise ImportError(f"{what} needs the onnx package; install it with "
                          "pip install 'neurona[onnx]' (or pip install onnx)") from None
    return onnx


class OnnxGraph:
    """Nodes, initializers, inputs and outputs of one ONNX graph under construction.

    Args:
        opset: the ai.onnx opset the graph targets.
        dtype: the NumPy float dtype of the network (float32 or float64).
    """

    def __init__(self, opset=DEFAULT_OPSET, dtype="float32"):
        self.onnx = require_onnx()
        self.opset = opset
        self.dtype = np.dtype(dtype)
        self.nodes, self.initializers, self.inputs, self.outputs = [], [], [], []
        self._names = set()
        self.uses_ml = False
        self._reserved = set()  # output names taken before any node is made
        self.masked = set()  # values that carry a mask (see export.sequence.check_unmasked)

    # -- names and values -------------------------------------------------------------------
    def name(self, base):
        """A value name not used yet, from ``base``."""
        base = str(base).replace(" ", "_") or "value"
        name, n = base, 1
        while name in self._names:
            name, n = f"{base}_{n}", n + 1
        self._names.add(name)
        return name

    def constant(self, value, base="const", dtype=None):
        """An initializer holding ``value`` (cast to ``dtype``, default the network's float
        dtype for floats); returns its name."""
        from onnx import numpy_helper

        array = np.asarray(value)
        if dtype is not None:
            array = array.astype(dtype)
        elif array.dtype.kind == "f":
            array = array.astype(self.dtype)
        name = self.name(base)
        if array.dtype.kind in "OU":
            tensor = self.onnx.helper.make_tensor(name, self.onnx.TensorProto.STRING,
                                                  array.shape,
                                                  [str(v).encode("utf-8") for v in array.flat])
        else:
            tensor = numpy_helper.from_array(np.ascontiguousarray(array), name)
        self.initializers.append(tensor)
        return name

    def ints(self, values, base="ints"):
        """An int64 initializer (shapes, axes, indices)."""
        return self.constant(np.asarray(values, dtype=np.int64), base, dtype=np.int64)

    def node(self, op, inputs, base=None, outputs=1, domain="", **attributes):
        """Add one node; returns its output name (or the list of names for ``outputs`` > 1)."""
        names = [self.name(base or op.lower()) for _ in range(outputs)]
        self.nodes.append(self.onnx.helper.make_node(op, list(inputs), names,
                                                     domain=domain or None, **attributes))
        if domain == "ai.onnx.ml":
            self.uses_ml = True
        return names[0] if outputs == 1 else names

    def reduce(self, op, x, axes, keepdims, base=None):
        """``Reduce<op>`` over ``axes``, in the form of the graph's opset."""
        if op == "Sum" or self.opset >= 18:
            return self.node(f"Reduce{op}", [x, self.ints(axes, "axes")], base,
                             keepdims=int(keepdims))
        return self.node(f"Reduce{op}", [x], base, axes=list(axes), keepdims=int(keepdims))

    def transpose(self, x, perm, base=None):
        return self.node("Transpose", [x], base, perm=list(perm))

    # -- graph ends -------------------------------------------------------------------------
    def value_info(self, name, elem_type, shape):
        """A ``ValueInfoProto``: ``shape`` entries None become the dynamic ``batch`` axis."""
        dims = ["batch" if n is None else int(n) for n in shape]
        return self.onnx.helper.make_tensor_value_info(name, elem_type, dims)

    def add_input(self, base, elem_type, shape):
        name = self.name(base)
        self.inputs.append(self.value_info(name, elem_type, shape))
        return name

    def reserve(self, names):
        """Keep ``names`` for the graph's outputs: no value made later takes them (a node's
        automatic name, ``lstm_7``, may equal a layer's)."""
        names = list(names)
        self._names.update(names)
        self._reserved.update(names)

    def add_output(self, value, name, elem_type, shape):
        """Expose ``value`` as the graph output ``name`` (through an Identity when renamed)."""
        if value != name:
            if name in self._names and name not in self._reserved:
                raise ValueError(f"ONNX export: output name {name!r} is already used")
            self._reserved.discard(name)
            self._names.add(name)
            self.nodes.append(self.onnx.helper.make_node("Identity", [value], [name]))
        self.outputs.append(self.value_info(name, elem_type, shape))

    def float_type(self):
        """The TensorProto element type of the network's floats."""
        return self.onnx.helper.np_dtype_to_tensor_dtype(self.dtype)

    def model(self, graph_name, doc=""):
        """The finished, checked ``ModelProto``."""
        helper = self.onnx.helper
        graph = helper.make_graph(self.nodes, graph_name, self.inputs, self.outputs,
                                  self.initializers)
        opsets = [helper.make_opsetid("", self.opset)]
        if self.uses_ml:
            opsets.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
        from .. import __version__

        model = helper.make_model(graph, opset_imports=opsets, producer_name="neurona",
                                  producer_version=__version__, doc_string=doc)
        # the oldest IR these opsets allow: the file opens in the most runtimes
        model.ir_version = helper.find_min_ir_version_for(list(model.opset_import))
        self.onnx.checker.check_model(model, full_check=True)
        return model
