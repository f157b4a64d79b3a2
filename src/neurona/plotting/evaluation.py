"""Pictures of a trained model: learning curves, confusion matrix, ROC and precision-recall
curves, predictions against targets and residuals. The numbers come from
:mod:`neurona.evaluation`, so a plot and its report never disagree."""

import numpy as np

from .. import evaluation as ev
from ..evaluation._checks import finite, labels_array, positives, to_host
from ._figure import finish, new_figure, target_axes


def plot_history(history, metrics=None, path=None, log_scale=False, skip_epochs=0,
                 ylabels=None):
    """Learning curves, one panel per metric with its ``val_`` twin (delegates to
    :meth:`neurona.callbacks.History.plot`); epochs are numbered from 1.

    Args:
        history: the History returned by ``model.fit``, or its ``.history`` dict of lists.
        metrics: names to plot (default: "loss" and every metric).
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).
        log_scale: a logarithmic value axis (the train/validation gap stays visible after a
            steep first drop).
        skip_epochs: leave out the first epochs.
        ylabels: ``{name: label}`` for the value axes, e.g. ``{"mae": "mae (k$)"}``.

    Returns:
        The matplotlib Figure.

    Example:
        >>> fig = plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]})
        >>> len(fig.axes)
        1
    """
    from ..callbacks import History

    if isinstance(history, dict):
        lengths = {len(v) for v in history.values()}
        if len(lengths) != 1:
            raise ValueError(f"history dict values must be lists of equal length, got "
                             f"lengths {sorted(lengths)}")
        record = History()
        record.history = {k: list(v) for k, v in history.items()}
        record.epoch = list(range(lengths.pop()))
        history = record
    elif not isinstance(history, History):
        raise TypeError(f"history must be a History (model.fit's return) or its .history dict, "
                        f"got {type(history).__name__}")
    if not history.history:
        raise ValueError("history is empty: nothing was logged (did fit run any epoch?)")
    names = metrics or [k for k in history.history
                        if not k.startswith("val_") and k != "learning_rate"]
    # History.plot lays the panels out itself (tight_layout)
    fig, axes = new_figure(len(names), ncols=3, layout=None)
    history.plot(metrics=list(names), ax=axes, log_scale=log_scale, skip_epochs=skip_epochs,
                 ylabels=ylabels)
    return finish(fig, path)


def _titled(title, subset):
    """``"ROC curve (test set)"`` when the rows are named."""
    return f"{title} ({subset})" if subset else title


def _classes_and_names(labels, y):
    """(class values, display names): numeric labels ``y`` with string ``labels`` mean class
    indices 0..k-1 named by ``labels``; otherwise ``labels`` are the class values."""
    if labels is None:
        return None, None
    names = [str(n) for n in labels]
    if y.dtype.kind not in "US" and not all(isinstance(n, (int, float, np.number))
                                            and not isinstance(n, bool) for n in labels):
        return np.arange(len(names)), names
    return np.asarray(list(labels)), names


def plot_confusion_matrix(cm, y_pred=None, labels=None, normalize=None, ax=None, cmap="Blues",
                          path=None, subset=None, target=None):
    """A confusion matrix as a heat map with the value written in each cell.

    Pass either a matrix of counts, or the true and predicted labels (the matrix is then
    computed with :func:`neurona.evaluation.confusion_matrix`).

    Args:
        cm: (k, k) counts from :func:`neurona.evaluation.confusion_matrix` (rows true,
            columns predicted), or the true labels (n,) when ``y_pred`` is given.
        y_pred: the predicted labels (n,), when ``cm`` holds true labels.
        labels: class names for the ticks (default 0..k-1, or the labels found). With integer
            class labels, string names name the classes 0..k-1.
        normalize: None, "true" (rows sum to 1), "pred" (columns) or "all".
        ax: optional matplotlib Axes to draw on.
        cmap: matplotlib colour map name.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).
        subset: which rows the matrix counts, shown in the title (e.g. "test set").
        target: the target's name, shown on the axes ("true Purchase").

    Returns:
        The matplotlib Figure (the heat map's Axes plus its colour bar).

    Example:
        >>> fig = plot_confusion_matrix([[5, 1], [2, 7]], labels=["no", "yes"])
        >>> len(fig.axes)
        2
        >>> fig = plot_confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0], labels=["no", "yes"])
    """
    if y_pred is not None:
        y_true = labels_array(cm, "y_true")
        classes, names = _classes_and_names(labels, y_true)
        counts = ev.confusion_matrix(y_true, y_pred, labels=classes)
        labels = names or [str(c) for c in np.union1d(y_true, labels_array(y_pred, "y_pred"))]
    else:
        counts = np.asarray(to_host(cm, "cm"))
    values = ev.normalize_confusion(counts, normalize)
    k = values.shape[0]
    labels = [str(i) for i in range(k)] if labels is None else [str(n) for n in labels]
    if len(labels) != k:
        raise ValueError(f"labels has {len(labels)} names for a {k}x{k} matrix; pass one per "
                         "class")
    fig, ax = target_axes(ax, panel=(1.2 + 0.7 * k, 0.9 + 0.7 * k) if k > 5 else (5.0, 4.2))
    image = ax.imshow(values, cmap=cmap, interpolation="nearest")
    fig.colorbar(image, ax=ax)
    middle = (values.max() + values.min()) / 2  # dark cells get white text
    for i in range(k):
        for j in range(k):
            text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
            ax.text(j, i, text, ha="center", va="center",
                    color="white" if values[i, j] > middle else "black")
    ax.set_xticks(range(k), labels, rotation=45 if max(map(len, labels)) > 4 else 0)
    ax.set_yticks(range(k), labels)
    ax.set_xlabel(f"predicted {target}" if target else "predicted label")
    ax.set_ylabel(f"true {target}" if target else "true label")
    title = "confusion matrix" + (f", normalized over {normalize}" if normalize else "")
    ax.set_title(_titled(title, subset))
    return finish(fig, path)


def _per_class(y_true, y_score, labels):
    """[(name, binary targets, scores)] for a binary (n,) or one-vs-rest (n, k) problem."""
    scores = to_host(y_score, "y_score")
    if scores.ndim != 2 or scores.shape[1] == 1:
        return [(None, y_true, y_score)]
    k = scores.shape[1]
    y = to_host(y_true, "y_true")
    if y.shape == scores.shape:  # one-hot rows
        y = y.argmax(axis=1)
    y = labels_array(y, "y_true")
    classes, names = _classes_and_names(labels, y)
    if classes is None:
        classes, names = np.arange(k), [str(i) for i in range(k)]
    if len(names) != k:
        raise ValueError(f"labels has {len(names)} names for {k} score columns; pass one per "
                         "column")
    return [(name, y == c, scores[:, i]) for i, (c, name) in enumerate(zip(classes, names))]


def plot_roc(y_true, y_score, labels=None, ax=None, path=None, subset=None):
    """ROC curve(s) with their AUC and the chance diagonal.

    Args:
        y_true: binary targets (n,), or class labels for (n, k) scores.
        y_score: positive-class scores (n,) / (n, 1), or per-class scores (n, k) for
            one curve per class (one-vs-rest).
        labels: for (n, k) scores, the class of each column (default 0..k-1); with integer
            class labels, string names name the columns' classes 0..k-1.
        ax: optional matplotlib Axes to draw on.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).
        subset: which rows the curve is computed on, shown in the title (e.g. "test set").

    Returns:
        The matplotlib Figure (one line per curve, plus the diagonal).

    Example:
        >>> fig = plot_roc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> len(fig.axes[0].lines)
        2
    """
    fig, ax = target_axes(ax)
    for name, y, s in _per_class(y_true, y_score, labels):
        fpr, tpr, _ = ev.roc_curve(y, s)
        auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1])) / 2)
        ax.plot(fpr, tpr, label=(f"class {name}: " if name else "") + f"AUC = {auc:.3f}")
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="chance")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate (recall)")
    ax.set_title(_titled("ROC curve", subset))
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.01)
    ax.legend(loc="lower right")
    return finish(fig, path)


def plot_precision_recall(y_true, y_score, labels=None, ax=None, path=None, subset=None):
    """Precision-recall curve(s) with their average precision, and the no-skill baseline
    (the positive rate) for a binary problem.

    Args:
        y_true: binary targets (n,), or class labels for (n, k) scores.
        y_score: positive-class scores (n,) / (n, 1), or per-class scores (n, k).
        labels: for (n, k) scores, the class of each column (default 0..k-1); with integer
            class labels, string names name the columns' classes 0..k-1.
        ax: optional matplotlib Axes to draw on.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).
        subset: which rows the curve is computed on, shown in the title (e.g. "test set").

    Returns:
        The matplotlib Figure (one line per curve, plus the baseline when binary).

    Example:
        >>> fig = plot_precision_recall([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
        >>> len(fig.axes[0].lines)
        2
    """
    fig, ax = target_axes(ax)
    curves = _per_class(y_true, y_score, labels)
    for name, y, s in curves:
        precision, recall, _ = ev.precision_recall_curve(y, s)
        ap = float(-np.sum(np.diff(recall) * precision[:-1]))
        ax.step(recall, precision, where="post",
                label=(f"class {name}: " if name else "") + f"AP = {ap:.3f}")
    if len(curves) == 1:
        rate = float(np.mean(positives(y_true, None)))
        ax.plot([0, 1], [rate, rate], color="grey", linestyle="--", label="no skill")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title(_titled("precision-recall curve", subset))
    ax.set_xlim(-0.01, 1.01)
    ax.set_ylim(-0.01, 1.05)
    ax.legend(loc="lower left")
    return finish(fig, path)


def _regression_pair(y_true, y_pred):
    y_true = finite(to_host(y_true, "y_true").reshape(-1), "y_true")
    y_pred = finite(to_host(y_pred, "y_pred").reshape(-1), "y_pred")
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true has {y_true.size} values and y_pred {y_pred.size}; pass one "
                         "prediction per target")
    return y_true, y_pred


def plot_predicted_vs_actual(y_true, y_pred, ax=None, path=None, subset=None, target=None):
    """Predictions against targets, with the identity line a perfect model would lie on.

    Args:
        y_true: targets, shape (n,) or (n, 1).
        y_pred: predictions of the same size.
        ax: optional matplotlib Axes to draw on.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).
        subset: which rows are shown, in the title (e.g. "test set").
        target: the target's name and units for the axes, e.g. "medv (k$)".

    Returns:
        The matplotlib Figure (the points, and the identity line; R^2 and MAE in the title).

    Example:
        >>> fig = plot_predicted_vs_actual([1.0, 2.0, 3.0], [1.1, 1.9, 3.2])
        >>> len(fig.axes[0].lines)
        1
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    report = ev.regression_report(y_true, y_pred)
    fig, ax = target_axes(ax)
    ax.scatter(y_true, y_pred, s=12, alpha=0.6)
    low, high = min(y_true.min(), y_pred.min()), max(y_true.max(), y_pred.max())
    ax.plot([low, high], [low, high], color="grey", linestyle="--", label="y = x")
    ax.set_xlabel(f"actual {target}" if target else "actual")
    ax.set_ylabel(f"predicted {target}" if target else "predicted")
    ax.set_title(f"predicted vs actual{f', {subset}' if subset else ''}\n"
                 f"R² = {report['r2']:.3f}, MAE = {report['mae']:.3g}")
    ax.legend(loc="upper left")
    return finish(fig, path)


def plot_residuals(y_true, y_pred, bins=30, path=None, subset=None, target=None):
    """Residuals ``y_true - y_pred``: against the prediction (structure there means the model
    misses something) and as a histogram.

    Args:
        y_true: targets, shape (n,) or (n, 1).
        y_pred: predictions of the same size.
        bins: histogram bins.
        path: optional file to save the image to (PNG unless the name says .pdf/.svg).
        subset: which rows are shown, in the titles (e.g. "test set").
        target: the target's name and units for the axes, e.g. "medv (k$)".

    Returns:
        The matplotlib Figure with two Axes.

    Example:
        >>> fig = plot_residuals([1.0, 2.0, 3.0], [1.1, 1.9, 3.2])
        >>> len(fig.axes)
        2
    """
    y_true, y_pred = _regression_pair(y_true, y_pred)
    residuals = y_true - y_pred
    fig, (scatter, hist) = new_figure(2)
    scatter.scatter(y_pred, residuals, s=12, alpha=0.6)
    scatter.plot([y_pred.min(), y_pred.max()], [0, 0], color="grey", linestyle="--")
    of = f" {target}" if target else ""
    scatter.set_xlabel(f"predicted{of}")
    scatter.set_ylabel(f"residual{of} (actual - predicted)")
    scatter.set_title(_titled("residuals vs predicted", subset))
    hist.hist(residuals, bins=bins)
    hist.set_xlabel(f"residual{of}")
    hist.set_ylabel("count")
    hist.set_title(_titled(f"residuals: mean {residuals.mean():.3g}, std {residuals.std():.3g}",
                           subset))
    return finish(fig, path)
