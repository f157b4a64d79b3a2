"""The define-by-run engine: Tensor, Function, backward, no_grad, gradcheck."""

from .function import Function
from .tensor import Tensor, Variable
from .engine import backward
from .grad_mode import no_grad, enable_grad, is_grad_enabled
from .gradcheck import gradcheck

__all__ = ["Tensor", "Variable", "Function", "backward", "no_grad", "enable_grad",
           "is_grad_enabled", "gradcheck"]
