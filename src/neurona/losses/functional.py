"""The functional faces of the losses: Keras's function names, returning per-sample losses.

``losses.mean_squared_error(y_true, y_pred)`` equals
``losses.MeanSquaredError(reduction="none")(y_true, y_pred)``. Passing one of these functions
to :func:`neurona.losses.get` (or ``compile(loss=...)``) gives the matching Loss class.
"""

from .crossentropy import (BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy,
                           SparseCategoricalCrossentropy)
from .hinge import CategoricalHinge, Hinge, SquaredHinge
from .probabilistic import KLDivergence, Poisson
from .regression import (CosineSimilarity, Huber, LogCosh, MeanAbsoluteError,
                         MeanAbsolutePercentageError, MeanSquaredError,
                         MeanSquaredLogarithmicError)

__all__ = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
           "mean_squared_logarithmic_error", "huber", "log_cosh", "cosine_similarity",
           "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
           "sparse_categorical_crossentropy", "kl_divergence", "poisson", "hinge",
           "squared_hinge", "categorical_hinge"]


def _face(loss_class, options="", example_labels="[[0.0, 1.0], [1.0, 0.0]]"):
    """Link a function to its Loss class and give it the shared docstring."""

    def decorate(fn):
        fn.loss_class = loss_class
        extra = f"\n        {options}: as in :class:`{loss_class.__name__}`." if options else ""
        fn.__doc__ = f"""Per-sample {loss_class.__name__} losses (no reduction).

    Args:
        y_true: the targets (array or constant Tensor).
        y_pred: the predictions (Tensor).{extra}

    Returns:
        A Tensor of per-sample losses, ``y_pred``'s shape without its reduced axis.

    Example:
        >>> from neurona import Tensor
        >>> {fn.__name__}({example_labels}, Tensor([[0.3, 0.7], [0.6, 0.4]])).shape
        (2,)
    """
        return fn

    return decorate


@_face(MeanSquaredError)
def mean_squared_error(y_true, y_pred):
    return MeanSquaredError().call(y_true, y_pred)


@_face(MeanAbsoluteError)
def mean_absolute_error(y_true, y_pred):
    return MeanAbsoluteError().call(y_true, y_pred)


@_face(MeanAbsolutePercentageError)
def mean_absolute_percentage_error(y_true, y_pred):
    return MeanAbsolutePercentageError().call(y_true, y_pred)


@_face(MeanSquaredLogarithmicError)
def mean_squared_logarithmic_error(y_true, y_pred):
    return MeanSquaredLogarithmicError().call(y_true, y_pred)


@_face(Huber, "delta")
def huber(y_true, y_pred, delta=1.0):
    return Huber(delta).call(y_true, y_pred)


@_face(LogCosh)
def log_cosh(y_true, y_pred):
    return LogCosh().call(y_true, y_pred)


@_face(CosineSimilarity, "axis")
def cosine_similarity(y_true, y_pred, axis=-1):
    return CosineSimilarity(axis).call(y_true, y_pred)


@_face(BinaryCrossentropy, "from_logits, label_smoothing, axis")
def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    return BinaryCrossentropy(from_logits, label_smoothing, axis).call(y_true, y_pred)


@_face(BinaryFocalCrossentropy,
       "apply_class_balancing, alpha, gamma, from_logits, label_smoothing, axis")
def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0,
                              from_logits=False, label_smoothing=0.0, axis=-1):
    return BinaryFocalCrossentropy(apply_class_balancing, alpha, gamma, from_logits,
                                   label_smoothing, axis).call(y_true, y_pred)


@_face(CategoricalCrossentropy, "from_logits, label_smoothing, axis")
def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    return CategoricalCrossentropy(from_logits, label_smoothing, axis).call(y_true, y_pred)


@_face(SparseCategoricalCrossentropy, "from_logits, ignore_class, axis", "[1, 0]")
def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    return SparseCategoricalCrossentropy(from_logits, ignore_class,
                                         axis=axis).call(y_true, y_pred)


@_face(KLDivergence)
def kl_divergence(y_true, y_pred):
    return KLDivergence().call(y_true, y_pred)


@_face(Poisson)
def poisson(y_true, y_pred):
    return Poisson().call(y_true, y_pred)


@_face(Hinge)
def hinge(y_true, y_pred):
    return Hinge().call(y_true, y_pred)


@_face(SquaredHinge)
def squared_hinge(y_true, y_pred):
    return SquaredHinge().call(y_true, y_pred)


@_face(CategoricalHinge)
def categorical_hinge(y_true, y_pred):
    return CategoricalHinge().call(y_true, y_pred)
