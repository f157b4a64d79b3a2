"""The course's classic perceptron: step activation and the perceptron learning rule.

Rosenblatt's rule updates the weights after every sample: ``w <- w + eta * e * x`` and
``b <- b + eta * e``, with the error ``e = y - step(w.x + b)`` in {-1, 0, 1}. It needs no
gradient (the step function has none): it moves the boundary towards each misclassified sample.

When does it converge? If the two classes are linearly separable, the rule stops making mistakes
after a finite number of updates (Novikoff: at most (R / margin)^2, with R the largest sample
norm), whatever the learning rate. If they are not separable (XOR is the classic case) it never
settles: the weights keep cycling, so ``fit`` stops after ``max_epochs`` and reports
``converged_ = False``. Standardizing the inputs makes convergence much faster in practice.
"""

import numpy as np

from . import random as nrandom


def step(z):
    """Heaviside step: 1 where z > 0, else 0."""
    return (np.asarray(z) > 0).astype(np.int64)


class Perceptron:
    """A single-layer perceptron for two classes, trained with the perceptron rule.

    Args:
        learning_rate: eta in ``w <- w + eta * e * x`` (positive).
        max_epochs: passes over the data before giving up on convergence.
        shuffle: visit the samples in a new random order each epoch.
        seed: seed of that order.

    Attributes (after ``fit``):
        coef_: weights, shape (n_features,). intercept_: the bias.
        classes_: the two original labels (mapped to 0 and 1).
        errors_: number of misclassified samples (updates) in each epoch.
        converged_: True when an epoch made no update. n_epochs_: epochs run.

    Example:
        >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([0, 0, 0, 1])  # AND
        >>> p = Perceptron(learning_rate=0.1).fit(X, y)
        >>> p.predict(X).tolist(), p.converged_
        ([0, 0, 0, 1], True)
    """

    def __init__(self, learning_rate=1.0, max_epochs=100, shuffle=False, seed=None):
        if not (isinstance(learning_rate, (int, float)) and learning_rate > 0):
            raise ValueError(f"learning_rate must be a positive number, got {learning_rate!r}")
        if isinstance(max_epochs, bool) or not isinstance(max_epochs, (int, np.integer)) or max_epochs < 1:
            raise ValueError(f"max_epochs must be a positive integer, got {max_epochs!r}")
        self.learning_rate = float(learning_rate)
        self.max_epochs = int(max_epochs)
        self.shuffle = bool(shuffle)
        self.seed = seed

    def _check_x(self, X, what="X"):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"{what} must be 2-D (samples, features), got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError(f"{what} contains NaN or inf; impute or drop those rows first")
        return X

    def fit(self, X, y):
        """Learn the weights with the perceptron rule; returns self."""
        X = self._check_x(X)
        y = np.asarray(y).reshape(-1)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)} labels")
        classes = np.unique(y)
        if len(classes) != 2:
            raise ValueError(f"The perceptron separates exactly two classes; y has {len(classes)}: "
                             f"{classes.tolist()[:10]}")
        self.classes_ = classes
        target = (y == classes[1]).astype(np.float64)
        w = np.zeros(X.shape[1])
        b = 0.0
        rng = nrandom.make_generator(self.seed)
        self.errors_ = []
        self.converged_ = False
        for _ in range(self.max_epochs):
            order = rng.permutation(len(X)) if self.shuffle else range(len(X))
            mistakes = 0
            for i in order:
                error = target[i] - float(X[i] @ w + b > 0)
                if error:
                    w += self.learning_rate * error * X[i]
                    b += self.learning_rate * error
                    mistakes += 1
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.coef_, self.intercept_ = w, b
        self.n_epochs_ = len(self.errors_)
        return self

    def decision_function(self, X):
        """``w.x + b`` for each sample."""
        if not hasattr(self, "coef_"):
            raise RuntimeError("Perceptron: call fit(X, y) before predicting")
        X = self._check_x(X)
        if X.shape[1] != len(self.coef_):
            raise ValueError(f"X has {X.shape[1]} features but the perceptron was fitted on "
                             f"{len(self.coef_)}")
        return X @ self.coef_ + self.intercept_

    def predict(self, X):
        """The predicted original labels: ``classes_[step(w.x + b)]``."""
        scores = self.decision_function(X)
        return self.classes_[step(scores)]

    def score(self, X, y):
        """Accuracy on ``(X, y)``."""
        return float(np.mean(self.predict(X) == np.asarray(y).reshape(-1)))
