"""neurona: a define-by-run deep-learning engine on NumPy with the Keras API.

``import neurona as keras`` runs Keras code; see the README for the tour.
"""

__version__ = "0.1.0"

from . import config
from . import backend
from .backend import set_backend
from .autograd import Tensor, Variable, no_grad
from . import functions

__all__ = ["__version__", "config", "set_backend", "backend", "Tensor", "Variable", "no_grad",
           "functions"]
