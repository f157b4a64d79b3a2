"""The scikit-learn estimators: :class:`NeuronaClassifier` and :class:`NeuronaRegressor`."""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from ._base import _NeuronaEstimator

__all__ = ["NeuronaClassifier", "NeuronaRegressor"]


class NeuronaClassifier(ClassifierMixin, _NeuronaEstimator):
    """A neural-network classifier with scikit-learn's API.

    Binary problems get one sigmoid unit (binary cross-entropy), multiclass problems a softmax
    layer (sparse categorical cross-entropy). Labels may be any values scikit-learn accepts
    (strings, non-contiguous ints); they are encoded internally and listed in ``classes_``.

    Args:
        hidden_layer_sizes: units of each hidden Dense layer, as scikit-learn's MLP.
        activation: hidden activation name (``"relu"``, ``"tanh"``, ...).
        dropout: dropout rate after each hidden layer (0 disables it).
        batch_norm: add BatchNormalization between each hidden Dense and its activation.
        build_fn: optional ``build_fn(n_features, n_outputs, **build_fn__params)`` returning a
            neurona Model (compiled or not; if not, it is compiled with ``optimizer`` and the
            loss above). ``n_outputs`` is 1 for binary problems, else the number of classes;
            the output must hold probabilities (sigmoid / softmax).
        optimizer: name, Optimizer class or instance; routed ``optimizer__*`` go to it.
        learning_rate: the optimizer's learning rate.
        batch_size: rows per step; ``"auto"`` is ``min(200, n_samples)``.
        epochs: passes over the data (the maximum, with early stopping).
        early_stopping: hold out ``validation_fraction`` (stratified) and stop once the
            validation loss has not improved for ``patience`` epochs, keeping the best weights.
        validation_fraction, patience: see ``early_stopping``.
        class_weight: None, ``"balanced"`` or ``{label: weight}`` (labels as in ``y``).
        random_state: int (or RandomState) for reproducible weights, shuffling and dropout;
            an int seeds the library-wide generator (``neurona.utils.set_random_seed``).
        verbose: 0 silent, 1 progress bar, 2 one line per epoch.
        **routed: ``optimizer__*``, ``build_fn__*``, ``fit__*`` parameters.

    Attributes:
        classes_: the class labels. n_features_in_: input width. model_: the fitted neurona
        model. history_: per-epoch ``{"loss": [...], "val_loss": [...]}``. n_iter_: epochs run.

    Example:
        >>> clf = NeuronaClassifier(hidden_layer_sizes=(16,), epochs=20, random_state=0)
        >>> clf.fit([[0.0], [1.0], [0.1], [0.9]], ["a", "b", "a", "b"]).classes_
        array(['a', 'b'], dtype='<U1')
    """

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", dropout=0.0,
                 batch_norm=False, build_fn=None, optimizer="adam", learning_rate=0.001,
                 batch_size="auto", epochs=200, early_stopping=False, validation_fraction=0.1,
                 patience=10, class_weight=None, random_state=None, verbose=0, **routed):
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, activation=activation,
                         dropout=dropout, batch_norm=batch_norm, build_fn=build_fn,
                         optimizer=optimizer, learning_rate=learning_rate, batch_size=batch_size,
                         epochs=epochs, early_stopping=early_stopping,
                         validation_fraction=validation_fraction, patience=patience,
                         random_state=random_state, verbose=verbose, **routed)
        self.class_weight = class_weight

    def fit(self, X, y, sample_weight=None):
        """Train on ``X`` (n_samples, n_features) and labels ``y``; returns ``self``."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32])
        check_classification_targets(y)
        sample_weight = self._check_sample_weight(sample_weight, len(X))
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 classes in y; got 1 class "
                             f"({self.classes_[0]!r})")
        codes = encoder.transform(y)
        if self.class_weight is not None:
            cw = compute_sample_weight(self.class_weight, y)
            sample_weight = cw if sample_weight is None else sample_weight * cw
        binary = len(self.classes_) == 2
        targets = codes.astype(np.float64).reshape(-1, 1) if binary else codes.astype(np.int64)
        return self._fit_network(
            X, targets, sample_weight, 1 if binary else len(self.classes_),
            "sigmoid" if binary else "softmax",
            "binary_crossentropy" if binary else "sparse_categorical_crossentropy", codes)

    def predict_proba(self, X):
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order."""
        out = self._raw_predict(X)
        if out.ndim == 1 or out.shape[1] == 1:
            p = np.clip(out.reshape(-1), 0.0, 1.0)
            proba = np.column_stack([1.0 - p, p])
        else:
            proba = np.clip(out, 0.0, None)
        if proba.shape[1] != len(self.classes_):
            raise ValueError(f"The model outputs {proba.shape[1]} columns for "
                             f"{len(self.classes_)} classes; build_fn must return one unit for "
                             "binary problems, else one per class")
        return proba / proba.sum(axis=1, keepdims=True)

    def predict(self, X):
        """Predicted class labels (values from ``classes_``)."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class NeuronaRegressor(RegressorMixin, _NeuronaEstimator):
    """A neural-network regressor with scikit-learn's API (mean squared error, linear output).

    Takes the same parameters as :class:`NeuronaClassifier` except ``class_weight``. ``y`` may
    be 1-D or 2-D (multi-output); ``predict`` returns the same shape. ``build_fn`` gets
    ``n_outputs`` = the number of target columns. Targets are not rescaled: targets far from
    unit scale train better after scaling (e.g. ``TransformedTargetRegressor``).

    Attributes:
        n_features_in_, model_, history_, n_iter_: as in :class:`NeuronaClassifier`.

    Example:
        >>> reg = NeuronaRegressor(hidden_layer_sizes=(8,), epochs=5, random_state=0)
        >>> reg.fit([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0]).predict([[1.0]]).shape
        (1,)
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y, sample_weight=None):
        """Train on ``X`` (n_samples, n_features) and ``y`` (n_samples[, n_outputs]); returns
        ``self``."""
        self._check_params()
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], multi_output=True,
                             y_numeric=True)
        sample_weight = self._check_sample_weight(sample_weight, len(X))
        y = np.asarray(y, dtype=np.float64)
        self._y_ndim = y.ndim
        targets = y.reshape(len(y), -1)
        return self._fit_network(X, targets, sample_weight, targets.shape[1], None, "mse", None)

    def predict(self, X):
        """Predictions, shape (n_samples,) for 1-D training targets, else (n_samples, n_outputs)."""
        out = self._raw_predict(X)
        return out.reshape(-1) if self._y_ndim == 1 else out.reshape(len(out), -1)
