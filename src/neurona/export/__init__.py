"""Models that run elsewhere: ONNX export (``model.export("m.onnx", format="onnx")``).

The ``onnx`` package is an optional extra (``pip install 'neurona[onnx]'``), imported only when
exporting. See :func:`export_onnx`; each layer class converts through one function in
:data:`CONVERTERS` (add one with :func:`converter`), each activation through
:data:`ACTIVATION_CONVERTERS`.
"""

from .activations import ACTIVATIONS as ACTIVATION_CONVERTERS
from .activations import activation as activation_converter
from .graph import DEFAULT_OPSET, OnnxGraph
from .layers import CONVERTERS, REFUSED, converter
from .onnx_export import build_model_proto, export_onnx
from . import sequence  # noqa: F401  (registers the sequence layers' converters)

__all__ = ["export_onnx", "build_model_proto", "CONVERTERS", "REFUSED", "converter",
           "ACTIVATION_CONVERTERS", "activation_converter", "OnnxGraph", "DEFAULT_OPSET"]
