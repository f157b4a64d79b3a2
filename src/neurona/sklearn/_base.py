"""Shared machinery of the scikit-learn estimators: parameters (routed ``prefix__name``
ones included), building the network, training, pickling through the safe model format."""

import contextlib
import numbers
import os

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import config, layers, optimizers
from ..models import doctor
from ..callbacks import EarlyStopping
from ..models import Sequential
from ..models.model import Model
from ..random import set_random_seed
from ..tempfiles import temporary_directory
from ..saving import load_model, save_model

#: prefixes of routed parameters: ``optimizer__beta_1``, ``build_fn__units``, ``fit__shuffle``
ROUTED_PREFIXES = ("optimizer", "build_fn", "fit")
_FIT_RESERVED = {"x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_data",
                 "validation_split", "sample_weight", "class_weight", "seed"}


def _is_routed(name):
    prefix, sep, rest = name.partition("__")
    return bool(sep) and bool(rest) and prefix in ROUTED_PREFIXES


@contextlib.contextmanager
def _floatx(dtype):
    """Build (or load) a network in ``dtype``: the estimators compute in the dtype of ``X``
    (float64 unless ``X`` is float32), as scikit-learn's MLP does."""
    previous = config.floatx()
    config.set_floatx(np.dtype(dtype).name)
    try:
        yield
    finally:
        config.set_floatx(previous)


def _routed(params, prefix):
    """The ``prefix__name`` entries of ``params`` as ``{name: value}``."""
    head = prefix + "__"
    return {k[len(head):]: v for k, v in params.items() if k.startswith(head)}


class _NeuronaEstimator(BaseEstimator):
    """Shared machinery of :class:`NeuronaClassifier` and :class:`NeuronaRegressor`."""

    _estimator_type_ = None  # "classifier" / "regressor", set by the subclasses

    def __init__(self, hidden_layer_sizes=(100,), activation="relu", dropout=0.0,
                 batch_norm=False, build_fn=None, optimizer="adam", learning_rate=0.001,
                 batch_size="auto", epochs=200, early_stopping=False, validation_fraction=0.1,
                 patience=10, random_state=None, verbose=0, **routed):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.batch_norm = batch_norm
        self.build_fn = build_fn
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.verbose = verbose
        for name, value in routed.items():  # validated in fit, as scikit-learn wants
            setattr(self, name, value)

    # -- parameters -------------------------------------------------------------------------------
    def _extra_params(self):
        """Keyword parameters beyond the named ones (the routed ``prefix__name`` ones)."""
        named = set(self._get_param_names())
        return {k: v for k, v in vars(self).items()
                if k not in named and not k.startswith("_") and not k.endswith("_")}

    def get_params(self, deep=True):
        """The constructor's parameters plus any routed ``prefix__name`` parameters set."""
        params = super().get_params(deep=deep)
        params.update(self._extra_params())
        return params

    def set_params(self, **params):
        """Set parameters; ``optimizer__*``, ``build_fn__*`` and ``fit__*`` are stored as routed
        parameters (they need not exist beforehand; ``fit`` checks them). Returns ``self``."""
        named = set(self._get_param_names())
        plain = {}
        for name, value in params.items():
            if name in named or (name.partition("__")[0] in named and not _is_routed(name)):
                plain[name] = value
            else:
                setattr(self, name, value)
        if plain:
            super().set_params(**plain)
        return self

    def _check_params(self):
        """Validate the constructor's parameters (before any work), quoting bad values."""
        name = type(self).__name__
        unknown = sorted(k for k in self._extra_params() if not _is_routed(k))
        if unknown:
            raise ValueError(f"{name}: unknown parameter {unknown[0]!r}; valid ones are "
                             f"{sorted(self._get_param_names())} and routed parameters named "
                             f"'<{'|'.join(ROUTED_PREFIXES)}>__<name>'")
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            sizes = (sizes,)
        try:
            sizes = tuple(sizes)
        except TypeError:
            raise ValueError(f"{name}: hidden_layer_sizes must be an int or a sequence of ints, "
                             f"got {self.hidden_layer_sizes!r}") from None
        if any(isinstance(s, bool) or not isinstance(s, numbers.Integral) or s < 1 for s in sizes):
            raise ValueError(f"{name}: hidden_layer_sizes must hold positive ints, got "
                             f"{self.hidden_layer_sizes!r}")
        checks = [
            ("dropout", isinstance(self.dropout, numbers.Real) and 0 <= self.dropout < 1,
             "in [0, 1)"),
            ("learning_rate", isinstance(self.learning_rate, numbers.Real)
             and self.learning_rate > 0, "a positive number"),
            ("epochs", isinstance(self.epochs, numbers.Integral) and self.epochs >= 1,
             "a positive int"),
            ("batch_size", self.batch_size == "auto" or (
                isinstance(self.batch_size, numbers.Integral) and self.batch_size >= 1),
             "a positive int or 'auto'"),
            ("validation_fraction", isinstance(self.validation_fraction, numbers.Real)
             and 0 < self.validation_fraction < 1, "in (0, 1)"),
            ("patience", isinstance(self.patience, numbers.Integral) and self.patience >= 0,
             "a non-negative int"),
        ]
        for param, ok, what in checks:
            if not ok or isinstance(getattr(self, param), bool):
                raise ValueError(f"{name}: {param} must be {what}, got {getattr(self, param)!r}")
        if self.build_fn is not None and not callable(self.build_fn):
            raise ValueError(f"{name}: build_fn must be callable "
                             f"build_fn(n_features, n_outputs, **params), got {self.build_fn!r}")
        bad = set(_routed(vars(self), "fit")) & _FIT_RESERVED
        if bad:
            raise ValueError(f"{name}: fit__{sorted(bad)[0]} is set by the estimator itself; use "
                             "its own parameter (batch_size, epochs, verbose, ...) instead")
        return sizes

    # -- building ---------------------------------------------------------------------------------
    def _make_optimizer(self):
        kwargs = {"learning_rate": float(self.learning_rate), **_routed(vars(self), "optimizer")}
        opt = self.optimizer
        if isinstance(opt, optimizers.Optimizer):
            cls = type(opt)
            kwargs = {**opt.get_config(), **kwargs}  # a fresh copy: no state shared between fits
        elif isinstance(opt, type) and issubclass(opt, optimizers.Optimizer):
            cls = opt
        elif isinstance(opt, str):
            cls = type(optimizers.get(opt))
        else:
            raise ValueError(f"{type(self).__name__}: optimizer must be a name such as 'adam', "
                             f"an Optimizer class or instance, got {opt!r}")
        try:
            if isinstance(opt, optimizers.Optimizer):
                return cls.from_config(kwargs)
            return cls(**kwargs)
        except TypeError as err:
            raise ValueError(f"{type(self).__name__}: cannot build optimizer {cls.__name__} with "
                             f"{kwargs!r} ({err}); check the optimizer__* parameters") from None

    def _build_model(self, sizes, n_features, n_outputs, out_activation, loss):
        if self.build_fn is not None:
            model = self.build_fn(n_features, n_outputs, **_routed(vars(self), "build_fn"))
            if not isinstance(model, Model):
                raise TypeError(f"{type(self).__name__}: build_fn must return a neurona Model, "
                                f"got {type(model).__name__}")
            if not getattr(model, "compiled", False):
                model.compile(optimizer=self._make_optimizer(), loss=loss)
            return model
        stack = [layers.Input(shape=(n_features,))]
        for units in sizes:
            if self.batch_norm:  # Dense -> BatchNorm -> activation, the usual order
                stack += [layers.Dense(int(units)), layers.BatchNormalization(),
                          layers.Activation(self.activation)]
            else:
                stack.append(layers.Dense(int(units), activation=self.activation))
            if self.dropout:
                stack.append(layers.Dropout(float(self.dropout)))
        stack.append(layers.Dense(n_outputs, activation=out_activation))
        model = Sequential(stack)
        model.compile(optimizer=self._make_optimizer(), loss=loss)
        return model

    # -- training ---------------------------------------------------------------------------------
    def _seed(self):
        """An int seed from ``random_state`` (None: fresh entropy, nothing global touched)."""
        if self.random_state is None:
            return None
        state = self.random_state
        if isinstance(state, numbers.Integral) and not isinstance(state, bool):
            return int(state)
        return int(check_random_state(self.random_state).randint(0, 2**31 - 1))

    def _fit_network(self, X, targets, sample_weight, n_outputs, out_activation, loss, stratify):
        sizes = self._check_params()
        seed = self._seed()
        if seed is not None:
            set_random_seed(seed)  # fixes the initial weights
        self._dtype = np.dtype(X.dtype).name
        with _floatx(self._dtype):
            self.model_ = self._build_model(sizes, X.shape[1], n_outputs, out_activation, loss)
        if sample_weight is not None:
            # mean 1: the loss is the weighted mean, so weights set the samples' relative
            # importance (integer weights act as repeated rows), not the step size
            sample_weight = sample_weight * (len(sample_weight) / sample_weight.sum())
            if np.all(sample_weight == 1):
                sample_weight = None  # exactly the unweighted fit
        fit_kwargs = dict(_routed(vars(self), "fit"))
        callbacks = []
        if self.early_stopping:
            X, targets, sample_weight, validation = self._split(X, targets, sample_weight, seed,
                                                                stratify)
            fit_kwargs["validation_data"] = validation
            callbacks.append(EarlyStopping(monitor="val_loss", patience=int(self.patience),
                                           restore_best_weights=True))
        batch = min(200, len(X)) if self.batch_size == "auto" else int(self.batch_size)
        # silent like scikit-learn's own MLP: searches fit many times on folds of the same
        # data, and scaling belongs to the Pipeline; the doctor's errors still raise
        with doctor.quiet():
            history = self.model_.fit(X, targets, batch_size=batch, epochs=int(self.epochs),
                                      sample_weight=sample_weight, callbacks=callbacks,
                                      verbose=self.verbose, seed=seed, **fit_kwargs)
        self.history_ = {k: [float(v) for v in vals] for k, vals in history.history.items()}
        self.n_iter_ = len(self.history_.get("loss", []))
        return self

    def _split(self, X, targets, sample_weight, seed, stratify):
        n = len(X)
        n_val = int(np.ceil(self.validation_fraction * n))
        if n - n_val < 1:
            raise ValueError(f"{type(self).__name__}: early_stopping holds out "
                             f"validation_fraction={self.validation_fraction} of {n} samples, "
                             "leaving none to train on; give more data or early_stopping=False")
        if stratify is not None:
            _, counts = np.unique(stratify, return_counts=True)
            if counts.min() < 2 or n_val < len(counts):
                stratify = None
        index = np.arange(n)
        train, val = train_test_split(index, test_size=n_val, random_state=seed, stratify=stratify)
        sw_train = None if sample_weight is None else sample_weight[train]
        validation = (X[val], targets[val]) if sample_weight is None else \
            (X[val], targets[val], sample_weight[val])
        return X[train], targets[train], sw_train, validation

    def _raw_predict(self, X):
        check_is_fitted(self, "model_")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        out = self.model_.predict(X, verbose=0)
        return np.asarray(out, dtype=np.float64)

    @staticmethod
    def _check_sample_weight(sample_weight, n):
        if sample_weight is None:
            return None
        sw = np.asarray(sample_weight, dtype=np.float64)
        if sw.ndim == 0:
            sw = np.full(n, float(sw))
        if sw.shape != (n,):
            raise ValueError(f"sample_weight.shape == {sw.shape}, expected ({n},): one weight per "
                             "sample")
        if not np.all(np.isfinite(sw)) or np.any(sw < 0):
            raise ValueError("sample_weight must hold finite, non-negative numbers")
        if not sw.sum() > 0:
            raise ValueError("sample_weight sums to zero: at least one sample needs a positive "
                             "weight")
        return sw

    # -- pickling ---------------------------------------------------------------------------------
    def __getstate__(self):
        """Pickle state: the live network is replaced by neurona's safe model-file bytes."""
        state = super().__getstate__()
        model = state.get("model_")
        if isinstance(model, Model):
            state = dict(state)
            with temporary_directory() as tmp:  # removed on SIGTERM too
                path = os.path.join(tmp, "model.neurona")
                save_model(model, path)
                with open(path, "rb") as f:
                    state["model_"] = f.read()
        return state

    def __setstate__(self, state):
        data = state.get("model_")
        if isinstance(data, (bytes, bytearray)):
            state = dict(state)
            with temporary_directory() as tmp:  # removed on SIGTERM too
                path = os.path.join(tmp, "model.neurona")
                with open(path, "wb") as f:
                    f.write(data)
                state["model_"] = load_model(path)  # the file keeps the network's dtype
        super().__setstate__(state)
