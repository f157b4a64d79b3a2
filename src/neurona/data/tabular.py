"""Tabular preprocessing fitted on training rows only: scaling, one-hot, label encoding.

:class:`TabularEncoder` turns a pandas DataFrame into the float32 matrix a network wants and the
target into labels a loss accepts. Everything it learns (means, scales, categories, classes) is
plain JSON data from :meth:`TabularEncoder.get_config`, so it travels inside a model file without
pickle, and :meth:`TabularEncoder.from_config` restores the exact same transform.

Rules (documented here once, used everywhere):

* **Feature kinds** (when not given): text, ``category`` and bool columns are categorical; an
  integer column with at most ``integer_categories`` (default 2) distinct training values is
  categorical (0/1 flags); every other numeric column is numeric (ordinal codes such as 1..10
  stay numeric: list nominal integer codes in ``categorical=``). Dates are an error.
* **Numeric columns** are standardized with the training mean and standard deviation (ddof=0,
  as scikit-learn's StandardScaler); a constant column has scale 1, so it becomes 0.
* **Categorical columns** are one-hot encoded over the training categories in a natural order
  (numbers by value, then text), plus a final ``<unknown>`` column for categories never seen in
  training (it is 0 on every training row). Values are compared by their text, so ``1``, ``1.0``
  and ``"1"`` are one category.
* **Missing values**: a numeric NaN becomes the training mean (0 after scaling), with one
  ``MissingValueWarning`` per call naming the columns and counts; a categorical NaN is the
  category ``<missing>`` when training had missing values there, else it goes to ``<unknown>``.
  A missing target is an error.
* **Task** (when not given): a non-numeric target is ``"binary"`` with 2 classes and
  ``"multiclass"`` with more; a numeric target with 2 distinct values is ``"binary"``, with 3 to
  ``max_classes`` (default 20) distinct whole numbers ``"multiclass"``, otherwise
  ``"regression"``. Class targets are label-encoded 0..K-1 in natural order (``"No"`` -> 0,
  ``"Yes"`` -> 1); regression targets pass through as float32.
"""

import warnings

import numpy as np

from . import _columns as C
from . import _target as T
from ._target import TASKS, recommended_output

__all__ = ["TabularEncoder", "MissingValueWarning", "OutlierWarning", "IdentifierColumnWarning",
           "recommended_output", "TASKS"]


class MissingValueWarning(UserWarning):
    """Numeric missing values were imputed with the training mean."""


class IdentifierColumnWarning(UserWarning):
    """A text column with a different value on every training row (an id, a name) was left
    out of the features: one-hot encoded, it would be one feature per row, and learn nothing."""


#: a column is an identifier only with at least this many rows (a toy table may be all unique)
IDENTIFIER_MIN_ROWS = 20


def _is_identifier(column):
    """A categorical column whose every present value differs from the others."""
    present = column.dropna()
    return len(present) >= IDENTIFIER_MIN_ROWS and present.nunique() == len(present)


def _warn_identifiers(names, rows):
    if names:
        listed = ", ".join(repr(C.plain(n)) for n in names)
        warnings.warn(
            f"TabularEncoder.fit: column(s) {listed} hold a different value on each of the "
            f"{rows} training rows (an identifier or a name); they are left out of the features, "
            f"which one-hot encoding would make one per row. Drop them yourself to say so "
            f"(neurona train --drop {C.plain(names[0])}, or frame.drop(columns=[...])), or list "
            f"them in categorical=[...] to keep them", IdentifierColumnWarning, stacklevel=3)


class OutlierWarning(UserWarning):
    """A numeric column's scale is set by a few extreme values, which squeezes every other row
    of that feature into a sliver of its range."""


def _mean_and_scale(present, name):
    """The training mean and standard deviation (ddof=0) of a numeric column, computed on the
    values divided by their largest magnitude so that values near the float64 limit (1e308)
    neither overflow the variance nor turn the scale into inf (which made the feature 0)."""
    mean, std = T.mean_and_std(present)
    _warn_if_outliers(present, std, name)
    return mean, (std if std > 1e-12 * max(1.0, abs(mean)) else 1.0)


def _warn_if_outliers(present, std, name):
    """Warn when the standard deviation is far larger than the spread of the typical rows (the
    median absolute deviation): after scaling those rows are nearly one value."""
    median = np.median(present)
    typical = float(np.median(np.abs(present - median)))
    if typical > 0 and std > 1e4 * typical:
        row = int(np.argmax(np.abs(present - median)))
        warnings.warn(
            f"TabularEncoder.fit: numeric column {name!r} has extreme values (e.g. "
            f"{present[row]:.4g}, while its typical rows lie within {typical:.4g} of "
            f"{median:.4g}); scaled by its standard deviation {std:.4g}, every other row of "
            f"this feature becomes nearly the same number. Clip or log-transform the column, "
            f"or drop the rows with those values", OutlierWarning, stacklevel=4)


def _scaled(values, feature):
    """A numeric column standardized with the training statistics; a value whose scaled form
    leaves float32's range is an error naming it (it would reach the network as inf)."""
    with np.errstate(over="ignore"):
        scaled = (values - feature["mean"]) / feature["scale"]
    limit = np.finfo(np.float32).max
    outside = ~(np.abs(scaled) <= limit) & ~np.isnan(values)
    if outside.any():
        row = int(outside.argmax())
        raise ValueError(
            f"TabularEncoder.transform: column {feature['name']!r} holds {values[row]:.4g} at "
            f"row {row}, which standardizes to {scaled[row]:.4g} with the training mean "
            f"{feature['mean']:.4g} and scale {feature['scale']:.4g}: beyond float32's range. "
            f"Check that value, or clip the column to the range seen in training")
    return scaled


def _bad_state(what, value):
    """The one error of a fitted state that is not what fit writes (read from a file, it may
    have been altered): names the entry, never formats more than a short value."""
    import reprlib
    return ValueError(f"TabularEncoder.from_config: {what} is invalid "
                      f"({reprlib.repr(value)}); the state was altered or written by another "
                      f"program: refit the encoder")


def _finite(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and np.isfinite(value)


def _check_fitted_feature(i, feature):
    """A fitted feature as :meth:`TabularEncoder.fit` writes it: a name, and a finite mean
    and positive scale (numeric) or a list of plain categories (categorical)."""
    if not isinstance(feature, dict) or not isinstance(feature.get("name"), str):
        raise _bad_state(f"feature {i}", feature)
    if feature.get("kind") == "numeric":
        if not (_finite(feature.get("mean")) and _finite(feature.get("scale"))
                and feature["scale"] > 0):
            raise _bad_state(f"numeric feature {feature['name']!r}", feature)
    elif feature.get("kind") == "categorical":
        categories = feature.get("categories")
        if not isinstance(categories, list) or not all(
                isinstance(c, (str, int, float, bool)) for c in categories):
            raise _bad_state(f"categorical feature {feature['name']!r}", feature)
    else:
        raise _bad_state(f"the kind of feature {i}", feature.get("kind"))


def _check_fitted_target(target):
    """A fitted target as :meth:`TabularEncoder.fit` writes it, or None."""
    if target is None:
        return
    if not isinstance(target, dict) or not isinstance(target.get("name"), str) or \
            target.get("task") not in TASKS:
        raise _bad_state("the target", target)
    classes = target.get("classes")
    if target["task"] == "regression":
        transform = target.get("transform")
        if transform is not None and transform not in T.TARGET_TRANSFORMS:
            raise _bad_state("the target's transform", transform)
        if transform == "standardize" and not (_finite(target.get("center"))
                                               and _finite(target.get("scale"))
                                               and target["scale"] > 0):
            raise _bad_state("the target's standardization", target)
    elif not isinstance(classes, list) or len(classes) < 2 or not all(
            isinstance(c, (str, int, float, bool)) for c in classes):
        raise _bad_state("the target's classes", classes)


class TabularEncoder:
    """Encode a DataFrame's features (standardize numbers, one-hot categories) and its target.

    Args:
        numeric: names of the numeric feature columns, or None to infer them.
        categorical: names of the categorical feature columns, or None to infer them. When
            either list is given, the remaining non-target columns are inferred; when both are
            given, only those columns are features.
        target: the target column's name (excluded from the features), or None.
        task: ``"regression"``, ``"binary"``, ``"multiclass"`` or None to infer from the target.
        integer_categories: integer columns with at most this many distinct training values are
            inferred categorical.
        max_classes: the most distinct whole-number values a numeric target may have to be
            inferred a class target.
        target_transform: for a regression target, ``"log"`` (positive values such as prices),
            ``"log1p"`` (values >= 0 such as counts) or ``"standardize"``: ``transform_target``
            gives the transformed values the network learns and ``inverse_transform_target``
            maps predictions back to the target's units. None (default) leaves them as they are.

    Example:
        >>> import pandas as pd
        >>> train = pd.DataFrame({"km": [10.0, 20.0, 30.0], "make": ["Saab", "Buick", "Saab"],
        ...                       "sold": ["Yes", "No", "Yes"]})
        >>> enc = TabularEncoder(target="sold").fit(train)
        >>> enc.feature_names, enc.task, enc.classes
        (['km', 'make=Buick', 'make=Saab', 'make=<unknown>'], 'binary', ['No', 'Yes'])
        >>> enc.transform(pd.DataFrame({"km": [20.0], "make": ["Opel"]})).tolist()
        [[0.0, 0.0, 0.0, 1.0]]
        >>> enc.transform_target(train).tolist()
        [1, 0, 1]
    """

    def __init__(self, numeric=None, categorical=None, target=None, task=None,
                 integer_categories=2, max_classes=20, target_transform=None):
        self.numeric = _name_list(numeric, "numeric")
        self.categorical = _name_list(categorical, "categorical")
        both = set(self.numeric or ()) & set(self.categorical or ())
        if both:
            raise ValueError(f"TabularEncoder: columns {sorted(both, key=str)} are listed as both "
                             f"numeric and categorical; list each column once")
        if task is not None and task not in TASKS:
            raise ValueError(f"TabularEncoder: task={task!r} is not one of {TASKS} (or None to "
                             f"infer it from the target)")
        if task is not None and target is None:
            raise ValueError(f"TabularEncoder: task={task!r} needs target= (the target column)")
        for name, value, low in (("integer_categories", integer_categories, 0),
                                 ("max_classes", max_classes, 2)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"TabularEncoder: {name} must be an integer >= {low}, got {value!r}")
        if target_transform is not None and target_transform not in T.TARGET_TRANSFORMS:
            raise ValueError(f"TabularEncoder: target_transform={target_transform!r} is not one "
                             f"of {T.TARGET_TRANSFORMS} (or None)")
        if target_transform is not None and target is None:
            raise ValueError(f"TabularEncoder: target_transform={target_transform!r} needs "
                             f"target= (the target column)")
        self.target = target
        self.target_transform = target_transform
        self._task_option = task
        self.integer_categories = int(integer_categories)
        self.max_classes = int(max_classes)
        self._features = None  # [{"name", "kind", ...}] in column order, once fitted
        self._target = None    # {"name", "task", "classes"} once fitted with a target

    # -- fitting --------------------------------------------------------------------------------
    def fit(self, frame):
        """Learn the encoding from the TRAINING rows only (split first, then fit).

        Args:
            frame: a pandas DataFrame (or a dict of columns) with the feature columns and, when
                ``target`` was given, the target column.

        Returns:
            self, fitted.

        Raises:
            ValueError: no rows, unknown column names, a numeric column holding text, a column
                with no values, or a target with missing values or a single class.
        """
        frame = C.as_frame(frame, "TabularEncoder.fit")
        if len(frame) == 0:
            raise ValueError("TabularEncoder.fit: the frame has no rows; fit on the training rows")
        named = (self.numeric or []) + (self.categorical or [])
        C.check_columns(frame, named + ([self.target] if self.target is not None else []),
                        "TabularEncoder.fit")
        target = (T.fit_target(frame[self.target], self._task_option, self.max_classes,
                               self.target_transform) if self.target is not None else None)  # its errors come before any warning
        features, imputed, identifiers = [], {}, []
        for name in self._feature_columns(frame):
            column = frame[name]
            declared = name in (self.numeric or ()) or name in (self.categorical or ())
            kind = ("numeric" if name in (self.numeric or ()) else
                    "categorical" if name in (self.categorical or ()) else
                    C.infer_kind(column, self.integer_categories))
            if kind == "categorical" and not declared and _is_identifier(column):
                identifiers.append(name)  # one-hot would make a feature per row
                continue
            if kind == "numeric":
                values = C.to_float(column, "TabularEncoder.fit")
                T.check_finite(values, name, "TabularEncoder.fit")
                missing = np.isnan(values)
                if missing.all():
                    raise ValueError(f"TabularEncoder.fit: numeric column {name!r} has no values "
                                     f"in the training rows; drop it")
                if missing.any():
                    imputed[name] = (int(missing.sum()), len(values))
                mean, scale = _mean_and_scale(values[~missing], name)
                features.append({"name": C.plain(name), "kind": "numeric", "mean": mean,
                                 "scale": scale})
            else:
                found = C.keys(column)
                cats = C.sort_keys({k for k in found if k is not None})
                if None in found:
                    cats.append(C.MISSING)
                features.append({"name": C.plain(name), "kind": "categorical",
                                 "categories": cats})
        if not features:
            raise ValueError("TabularEncoder.fit: no feature columns left (the frame holds only the "
                             "target); pass a frame with feature columns")
        _warn_imputed(imputed, "TabularEncoder.fit")
        _warn_identifiers(identifiers, len(frame))
        self._features, self._target = features, target
        return self

    def _feature_columns(self, frame):
        if self.numeric is not None and self.categorical is not None:
            wanted = set(self.numeric) | set(self.categorical)
            return [c for c in frame.columns if c in wanted]
        return [c for c in frame.columns if c != self.target]

    def fit_transform(self, frame):
        """``fit(frame)`` then ``transform(frame)``: the encoded training features."""
        return self.fit(frame).transform(frame)

    # -- transforming ---------------------------------------------------------------------------
    def transform(self, frame):
        """The feature matrix for any rows, with the statistics learned by :meth:`fit`.

        Args:
            frame: a DataFrame (or dict of columns) holding at least the fitted feature columns;
                other columns (the target, ids) are ignored.

        Returns:
            A float32 array of shape ``(rows, len(feature_names))``.
        """
        self._require_fitted("transform")
        frame = C.as_frame(frame, "TabularEncoder.transform")
        C.check_columns(frame, [f["name"] for f in self._features], "TabularEncoder.transform")
        blocks, imputed = [], {}
        for feature in self._features:
            column = frame[feature["name"]]
            if feature["kind"] == "numeric":
                values = C.to_float(column, "TabularEncoder.transform")
                T.check_finite(values, feature["name"], "TabularEncoder.transform")
                missing = np.isnan(values)
                if missing.any():
                    imputed[feature["name"]] = (int(missing.sum()), len(values))
                    values = np.where(missing, feature["mean"], values)
                blocks.append(_scaled(values, feature)[:, None])
            else:
                blocks.append(_one_hot(C.keys(column), feature["categories"]))
        _warn_imputed(imputed, "TabularEncoder.transform")
        return np.concatenate(blocks, axis=1).astype(np.float32)

    def transform_target(self, data):
        """Labels for a loss: float32 values (regression, with the ``target_transform``
        applied) or int64 classes 0..K-1.

        Args:
            data: a DataFrame holding the target column, or the target values (Series, array,
                list).

        Returns:
            A 1-D array, one entry per row.
        """
        return T.encode(self._require_target("transform_target"), data)

    def inverse_transform_target(self, predictions):
        """Predictions back in the target's own terms.

        Args:
            predictions: for regression, values of shape ``(n,)`` or ``(n, 1)`` (in the
                network's units: the ``target_transform`` is undone); for a binary
                target, sigmoid probabilities ``(n,)``/``(n, 1)`` (threshold 0.5), integer
                labels, or two-column probabilities; for multiclass, ``(n, K)`` probabilities or
                integer labels 0..K-1.

        Returns:
            A 1-D array: float values, or the class names (``"Yes"``/``"No"``, ...).
        """
        return T.decode(self._require_target("inverse_transform_target"), predictions)

    # -- what was learned -----------------------------------------------------------------------
    @property
    def feature_names(self):
        """Names of the output columns: ``"col"`` for a numeric column, ``"col=category"`` for
        each one-hot column (``"col=<unknown>"`` last in its block)."""
        self._require_fitted("feature_names")
        names = []
        for f in self._features:
            if f["kind"] == "numeric":
                names.append(str(f["name"]))
            else:
                names += [f"{f['name']}={c}" for c in f["categories"] + [C.UNKNOWN]]
        return names

    @property
    def n_features(self):
        return len(self.feature_names)

    @property
    def numeric_columns(self):
        self._require_fitted("numeric_columns")
        return [f["name"] for f in self._features if f["kind"] == "numeric"]

    @property
    def categorical_columns(self):
        self._require_fitted("categorical_columns")
        return [f["name"] for f in self._features if f["kind"] == "categorical"]

    @property
    def task(self):
        """The target's task: given, or inferred by :meth:`fit` (None before fitting)."""
        return self._target["task"] if self._target is not None else self._task_option

    @property
    def classes(self):
        """The class names in label order (None for regression)."""
        return None if self._target is None else self._target["classes"]

    @property
    def fitted(self):
        return self._features is not None

    def recommended_output(self):
        """The output layer and loss for the fitted target (see :func:`recommended_output`)."""
        target = self._require_target("recommended_output")
        return recommended_output(target["task"], len(target["classes"] or []) or None)

    # -- configuration --------------------------------------------------------------------------
    def get_config(self):
        """Plain JSON-serializable data (lists, dicts, floats, strings) holding the options and,
        once fitted, everything learned; :meth:`from_config` restores the same transform."""
        config = {"numeric": self.numeric, "categorical": self.categorical,
                  "target": C.plain(self.target) if self.target is not None else None,
                  "task": self._task_option, "integer_categories": self.integer_categories,
                  "max_classes": self.max_classes, "target_transform": self.target_transform}
        if self.fitted:
            config["fitted"] = {"features": [dict(f) for f in self._features],
                                "target": None if self._target is None else dict(self._target)}
        return config

    @classmethod
    def from_config(cls, config):
        """An encoder from :meth:`get_config`'s data (after any JSON round trip)."""
        if not isinstance(config, dict):
            raise TypeError(f"TabularEncoder.from_config expects a dict, got {type(config).__name__}")
        options = {k: v for k, v in config.items() if k != "fitted"}
        known = {"numeric", "categorical", "target", "task", "integer_categories", "max_classes",
                 "target_transform"}
        if set(options) - known:
            raise ValueError(f"TabularEncoder.from_config: unknown keys {sorted(set(options) - known)}; "
                             f"pass the dict from TabularEncoder.get_config()")
        encoder = cls(**options)
        fitted = config.get("fitted")
        if fitted is not None:
            features = fitted.get("features") if isinstance(fitted, dict) else None
            if not isinstance(features, list) or not features or "target" not in fitted:
                raise ValueError("TabularEncoder.from_config: the 'fitted' entry is not an encoder "
                                 "state; pass the dict from TabularEncoder.get_config()")
            for i, feature in enumerate(features):
                _check_fitted_feature(i, feature)
            _check_fitted_target(fitted["target"])
            encoder._features = [dict(f) for f in fitted["features"]]
            encoder._target = None if fitted["target"] is None else dict(fitted["target"])
        return encoder

    def _require_fitted(self, what):
        if not self.fitted:
            raise RuntimeError(f"TabularEncoder.{what}: the encoder is not fitted; call "
                               f"fit(train_frame) first")

    def _require_target(self, what):
        self._require_fitted(what)
        if self._target is None:
            raise RuntimeError(f"TabularEncoder.{what}: the encoder has no target; create it "
                               f"with TabularEncoder(target='column') and fit again")
        return self._target

    def __repr__(self):
        state = (f"{len(self.numeric_columns)} numeric, {len(self.categorical_columns)} "
                 f"categorical" if self.fitted else "not fitted")
        return f"TabularEncoder(target={self.target!r}, task={self.task!r}, {state})"


def _one_hot(found, categories):
    """One-hot rows over ``categories + [<unknown>]``; unseen values (and NaN when training had
    none) go to the last column."""
    index = {c: i for i, c in enumerate(categories)}
    unknown = len(categories)
    missing = index.get(C.MISSING, unknown)
    cols = np.array([missing if k is None else index.get(k, unknown) for k in found], dtype=np.int64)
    out = np.zeros((len(found), unknown + 1), dtype=np.float64)
    out[np.arange(len(found)), cols] = 1.0
    return out


def _warn_imputed(imputed, what):
    if imputed:
        listed = ", ".join(f"{name!r} ({count} of {total} rows)"
                           for name, (count, total) in imputed.items())
        warnings.warn(f"{what}: replaced missing numeric values with the training mean in "
                      f"{listed}", MissingValueWarning, stacklevel=3)


def _name_list(value, arg):
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    try:
        names = [C.plain(v) for v in value]
    except TypeError:
        raise TypeError(f"TabularEncoder: {arg} must be a list of column names, got {value!r}") \
            from None
    if len(set(names)) != len(names):
        raise ValueError(f"TabularEncoder: {arg} lists a column twice: {names}")
    return names
