"""Hyperparameter tuning: Optuna's algorithms, trials in parallel on one machine or a Ray
cluster, results kept by the metrics you name.

* :class:`Tuner` — the study: ``Tuner(build_model, objective="auc", n_trials=50,
  n_jobs=2).search(x, y, validation_split=0.2, epochs=30)``; then :meth:`Tuner.leaderboard`,
  :attr:`Tuner.best_trial`, :meth:`Tuner.best_model`, :meth:`Tuner.pareto_front`.
* :class:`HyperParameters` (the ``hp`` of a building function), :class:`HyperModel`,
  :class:`SearchSpace` (declared in Python or YAML), :class:`TabularMLP` (the MLP family of
  ``neurona tune``).
* Objectives by name (:data:`OBJECTIVES`), constraints such as ``"precision >= 0.8"``.

Optuna (``pip install neurona[tune]``) is imported on first use; Ray only for
``executor="ray"``; psycopg2 only for a PostgreSQL storage.
"""

from .mlp import DEFAULT_SPACE, MLP_PARAMETERS, TabularMLP
from .objectives import OBJECTIVES, Constraint, Objective, TunerError
from .space import HyperParameters, SearchSpace, SearchSpaceError
from .storage import redact
from .trial import HyperModel
from .tuner import PRUNERS, SAMPLERS, Tuner

__all__ = ["Tuner", "HyperParameters", "HyperModel", "SearchSpace", "SearchSpaceError",
           "TabularMLP", "DEFAULT_SPACE", "MLP_PARAMETERS", "OBJECTIVES", "Objective",
           "Constraint", "TunerError", "SAMPLERS", "PRUNERS", "redact"]
