"""neurona: a define-by-run deep-learning engine on NumPy with the Keras API.

``import neurona as keras`` runs Keras code::

    import neurona as keras
    from neurona import layers

    model = keras.Sequential([layers.Dense(64, activation="relu", input_shape=[13]),
                              layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    model.fit(x_train, y_train, epochs=10, validation_split=0.2)

Submodules needing optional packages (datasets, plotting, sklearn, tuner, cli) load on first use.
"""

import importlib

__version__ = "0.1.0"

from . import config, backend, random
from .backend import set_backend
from .autograd import Tensor, Variable, no_grad
from . import functions, ops
from . import activations, initializers, losses, metrics, optimizers, callbacks, layers, utils
from .layers import Input, InputLayer, Layer
from .models import Model, Sequential
from .models.divergence import TrainingDivergedWarning
from .models.doctor import TrainingSetupWarning
from . import models

_LAZY = ("datasets", "data", "saving", "evaluation", "plotting", "sklearn", "tuner", "cli",
         "preprocessing", "regularizers", "constraints", "perceptron", "export", "serve")

__all__ = ["__version__", "config", "backend", "random", "set_backend", "Tensor", "Variable",
           "no_grad", "functions", "ops", "activations", "initializers", "losses", "metrics",
           "optimizers", "callbacks", "layers", "utils", "models", "Input", "InputLayer", "Layer",
           "Model", "Sequential", "TrainingDivergedWarning", "TrainingSetupWarning", *_LAZY]


def __getattr__(name):
    if name in _LAZY:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'neurona' has no attribute {name!r}")
