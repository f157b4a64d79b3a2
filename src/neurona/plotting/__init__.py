"""Plots for the workbench (needs matplotlib: ``pip install 'neurona[plot]'``).

Every function returns a ``matplotlib.figure.Figure`` built without pyplot, so it works with no
display; pass ``path=`` to save it as a PNG. In a notebook the returned figure shows itself.

- a trained model: :func:`plot_history`, :func:`plot_confusion_matrix`, :func:`plot_roc`,
  :func:`plot_precision_recall`, :func:`plot_predicted_vs_actual`, :func:`plot_residuals`;
- the course's teaching pictures, computed by the engine: :func:`plot_activations` (each
  activation and its derivative from backward), :func:`plot_optimizer_paths` (SGD, momentum,
  AdaGrad, RMSProp, Adam on a ravine), :func:`plot_learning_rates` (too small, good, too large).

Example:
    >>> from neurona import plotting
    >>> fig = plotting.plot_activations(["relu"], path=None)
    >>> type(fig).__name__
    'Figure'
"""

from .evaluation import (plot_confusion_matrix, plot_history, plot_precision_recall,
                         plot_predicted_vs_actual, plot_residuals, plot_roc)
from .teaching import (COURSE_ACTIVATIONS, activation_curve, descend, optimizer_paths,
                       plot_activations, plot_learning_rates, plot_optimizer_paths, ravine)

__all__ = ["plot_history", "plot_confusion_matrix", "plot_roc", "plot_precision_recall",
           "plot_predicted_vs_actual", "plot_residuals", "plot_activations",
           "plot_optimizer_paths", "plot_learning_rates", "activation_curve", "optimizer_paths",
           "descend", "ravine", "COURSE_ACTIVATIONS"]
