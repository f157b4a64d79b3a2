"""Evaluation reports and curves for a trained model's predictions.

Classification: :func:`confusion_matrix`, :func:`classification_report`,
:func:`roc_curve`, :func:`precision_recall_curve`, :func:`roc_auc_score`,
:func:`average_precision_score`, :func:`choose_threshold` and, from probabilities in one call,
:func:`classification_summary`. Regression: :func:`regression_report`. The numbers and layouts
follow scikit-learn's conventions (the tests compare them with scikit-learn); the curves are
exact, one point per distinct score.

Example:
    >>> from neurona import evaluation
    >>> evaluation.confusion_matrix([0, 1, 1], [0, 1, 0]).tolist()
    [[1, 0], [1, 1]]
"""

from .classification import (classification_report, confusion_matrix, normalize_confusion,
                             precision_recall_f1_support)
from .curves import (average_precision_score, choose_threshold, precision_recall_curve,
                     roc_auc_score, roc_curve)
from .regression import format_regression_report, regression_report
from .summary import ClassificationSummary, classification_summary

__all__ = ["confusion_matrix", "normalize_confusion", "classification_report",
           "precision_recall_f1_support",
           "roc_curve", "precision_recall_curve", "roc_auc_score", "average_precision_score",
           "choose_threshold", "regression_report", "format_regression_report",
           "classification_summary", "ClassificationSummary"]
