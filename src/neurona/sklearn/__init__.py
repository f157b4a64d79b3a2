"""scikit-learn estimators backed by neurona networks: :class:`NeuronaClassifier` and
:class:`NeuronaRegressor`.

They follow scikit-learn's estimator contract (``get_params``/``set_params``, ``clone``,
``fit``/``predict``/``score``, ``classes_``, ``n_features_in_``), so they work in ``Pipeline``,
``GridSearchCV``, ``cross_val_score`` and friends. scikit-learn is an optional dependency:
``import neurona`` never imports it; importing this module does.

The network is a plain multilayer perceptron described by the constructor's parameters (as
scikit-learn's ``MLPClassifier``), or whatever a user's ``build_fn`` returns. Inputs are NOT
standardized inside the estimator: as with scikit-learn's MLP, put a ``StandardScaler`` in
front of it in a ``Pipeline``.

Routed parameters: ``optimizer__<name>`` goes to the optimizer's constructor (e.g.
``optimizer__beta_1=0.8``), ``build_fn__<name>`` to ``build_fn`` and ``fit__<name>`` to
``Model.fit`` (e.g. ``fit__shuffle=False``). Pass them to the constructor or ``set_params``;
``get_params`` reports them, so ``clone`` and searches keep them.

Example:
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = make_classification(n_samples=200, n_features=6, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), NeuronaClassifier(hidden_layer_sizes=(32,),
    ...                     epochs=50, random_state=0))
    >>> clf.fit(X, y).score(X, y) > 0.9
    True
"""

from .estimators import NeuronaClassifier, NeuronaRegressor

__all__ = ["NeuronaClassifier", "NeuronaRegressor"]
