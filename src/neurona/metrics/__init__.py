"""Streaming metrics with Keras's names, defaults and semantics.

``model.compile(metrics=["acc", "mae", keras.metrics.AUC()])`` resolves each entry with
:func:`get`. Every metric accumulates on the active backend during ``update_state`` (no host
round trip per batch), reports with ``result()`` and knows its ``direction`` ("max" when higher
is better, "min" when lower is), which callbacks use for ``mode="auto"``.
"""

from .. import validation
from ..registry import Registry, serialize as _serialize
from .accuracy import (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
                       SparseTopKCategoricalAccuracy, TopKCategoricalAccuracy, accuracy,
                       binary_accuracy, categorical_accuracy, sparse_categorical_accuracy,
                       sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from .auc import AUC
from .base import Metric, metric_functions
from .confusion import FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, \
    TruePositives
from .fscore import F1Score, FBetaScore
from .reduction import Mean, MeanMetricWrapper, Sum
from .regression import (CosineSimilarity, LogCoshError, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError,
                         MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError,
                         cosine_similarity, log_cosh, mean_absolute_error,
                         mean_absolute_percentage_error, mean_squared_error,
                         mean_squared_logarithmic_error)

registry = Registry("metric")

for _cls, _names in (
    (Mean, ("mean",)),
    (Sum, ("sum",)),
    (MeanMetricWrapper, ()),
    (Accuracy, ("accuracy", "acc")),
    (BinaryAccuracy, ("binary_accuracy",)),
    (CategoricalAccuracy, ("categorical_accuracy",)),
    (SparseCategoricalAccuracy, ("sparse_categorical_accuracy",)),
    (TopKCategoricalAccuracy, ("top_k_categorical_accuracy",)),
    (SparseTopKCategoricalAccuracy, ("sparse_top_k_categorical_accuracy",)),
    (Precision, ("precision",)),
    (Recall, ("recall",)),
    (F1Score, ("f1_score",)),
    (FBetaScore, ("fbeta_score", "f_beta_score")),
    (AUC, ("auc",)),
    (TruePositives, ("true_positives",)),
    (FalsePositives, ("false_positives",)),
    (TrueNegatives, ("true_negatives",)),
    (FalseNegatives, ("false_negatives",)),
    (MeanAbsoluteError, ("mean_absolute_error", "mae")),
    (MeanSquaredError, ("mean_squared_error", "mse")),
    (RootMeanSquaredError, ("root_mean_squared_error", "rmse")),
    (MeanAbsolutePercentageError, ("mean_absolute_percentage_error", "mape")),
    (MeanSquaredLogarithmicError, ("mean_squared_logarithmic_error", "msle")),
    (R2Score, ("r2_score",)),
    (CosineSimilarity, ("cosine_similarity", "cosine_proximity")),
    (LogCoshError, ("log_cosh_error", "logcosh")),
):
    registry.register(_cls.__name__, *_names)(_cls)

# Which accuracy "accuracy"/"acc" means, by how the labels are encoded (set from the loss).
_ACCURACY_BY_LABELS = {
    None: Accuracy,
    "binary": BinaryAccuracy,
    "categorical": CategoricalAccuracy,
    "sparse_categorical": SparseCategoricalAccuracy,
}


def get(identifier, label_kind=None):
    """Resolve a metric identifier to a :class:`Metric` instance (Keras's rules).

    Args:
        identifier: a registered name ("acc", "mae", "auc", "AUC", ...; the instance is named
            after the given string, so it appears in logs as written), a Metric instance
            (returned as is), a Metric class (instantiated), a ``{"class_name", "config"}``
            dict, a per-sample function (wrapped in :class:`MeanMetricWrapper`), or None.
        label_kind: how the labels are encoded, which decides what "accuracy"/"acc" means:
            "binary" (BinaryAccuracy), "categorical" (CategoricalAccuracy),
            "sparse_categorical" (SparseCategoricalAccuracy) or None (exact-match Accuracy).

    Returns:
        A Metric, or None for None.

    Example:
        >>> get("acc", label_kind="binary")
        <BinaryAccuracy name='acc'>
    """
    validation.choice("metrics.get", "label_kind", label_kind, _ACCURACY_BY_LABELS)
    if identifier is None or isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return _ACCURACY_BY_LABELS[label_kind](name=identifier)
        cls = registry.get_class(identifier)
        if cls is MeanMetricWrapper:
            raise ValueError("metric 'MeanMetricWrapper' needs a function: pass "
                             "MeanMetricWrapper(fn) or the function itself")
        return cls(name=identifier)
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier)
    raise ValueError(f"Could not interpret metric identifier {identifier!r}: pass a metric name "
                     f"(one of {', '.join(registry.names())}), a Metric or a function")


def serialize(metric):
    """A metric as ``{"class_name", "config"}`` (a registered function as its name)."""
    return _serialize(metric)


def deserialize(config):
    """Rebuild a metric from :func:`serialize`'s output (a name string works too)."""
    if isinstance(config, str):
        return get(config)
    return registry.from_config(config)


__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper",
    "Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
    "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy",
    "Precision", "Recall", "F1Score", "FBetaScore", "AUC",
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives",
    "MeanAbsoluteError", "MeanSquaredError", "RootMeanSquaredError",
    "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "R2Score",
    "CosineSimilarity", "LogCoshError",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "mean_absolute_error", "mean_squared_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "log_cosh", "cosine_similarity",
    "registry", "metric_functions", "get", "serialize", "deserialize",
]
