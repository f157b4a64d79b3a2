"""neurona.plotting renders headless to files; the teaching pictures' numbers are checked against
closed forms (learning-rate step counts, activation derivatives) and convergence."""

import math

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from neurona import optimizers, plotting  # noqa: E402
from neurona.callbacks import History  # noqa: E402


def _png(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    return data


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def test_no_pyplot_needed(tmp_path, rng):
    """The figures are built without pyplot (no display, no global figure registry)."""
    from matplotlib.figure import Figure

    fig = plotting.plot_activations(["relu"], path=tmp_path / "a.png")
    assert isinstance(fig, Figure)
    fig = plotting.plot_residuals(rng.normal(size=20), rng.normal(size=20))
    assert isinstance(fig, Figure)
    assert fig.canvas.manager is None  # not a pyplot window: nothing to close, nothing leaks


# -- model pictures -------------------------------------------------------------------------
def test_plot_history_from_history_and_dict(tmp_path):
    logs = {"loss": [1.0, 0.6, 0.5], "val_loss": [1.1, 0.8, 0.7], "mae": [0.9, 0.7, 0.6],
            "val_mae": [1.0, 0.8, 0.8]}
    fig = plotting.plot_history(logs, path=tmp_path / "h.png")
    _png(tmp_path / "h.png")
    assert len(fig.axes) == 2 and [len(ax.lines) for ax in fig.axes] == [2, 2]
    history = History()
    for epoch in range(3):
        history.on_epoch_end(epoch, {k: v[epoch] for k, v in logs.items()})
    history.best_epoch = 2
    fig = plotting.plot_history(history, metrics=["loss"])
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 3  # train, val, best epoch
    with pytest.raises(TypeError, match="History"):
        plotting.plot_history([1, 2, 3])


def test_plot_confusion_matrix(tmp_path):
    cm = np.array([[5, 1, 0], [2, 7, 1], [0, 3, 9]])
    fig = plotting.plot_confusion_matrix(cm, labels=["a", "b", "c"], normalize="true",
                                         path=tmp_path / "cm.png")
    _png(tmp_path / "cm.png")
    heat, _colorbar = fig.axes
    assert len(fig.axes) == 2 and len(heat.texts) == 9
    assert heat.texts[0].get_text() == f"{5 / 6:.2f}"
    # from labels: the same matrix as evaluation.confusion_matrix, named by class index
    y_true, y_pred = [0, 1, 2, 2, 1], [0, 2, 2, 1, 1]
    fig = plotting.plot_confusion_matrix(y_true, y_pred, labels=["a", "b", "c"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["1", "0", "0", "0", "1", "1", "0", "1",
                                                        "1"]
    with pytest.raises(ValueError, match="labels has 2 names"):
        plotting.plot_confusion_matrix(cm, labels=["a", "b"])
    with pytest.raises(ValueError, match="normalize"):
        plotting.plot_confusion_matrix(cm, normalize="rows")


def test_plot_roc_and_precision_recall_binary(tmp_path, rng):
    y = rng.integers(0, 2, 100)
    s = np.clip(0.4 * y + 0.6 * rng.random(100), 0, 1)
    fig = plotting.plot_roc(y, s, path=tmp_path / "roc.png")
    _png(tmp_path / "roc.png")
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 2  # curve + chance
    from neurona.evaluation import roc_auc_score, average_precision_score

    assert f"{roc_auc_score(y, s):.3f}" in fig.axes[0].lines[0].get_label()
    fig = plotting.plot_precision_recall(y, s[:, None], path=tmp_path / "pr.png")
    _png(tmp_path / "pr.png")
    assert len(fig.axes[0].lines) == 2  # curve + no-skill baseline
    assert f"{average_precision_score(y, s):.3f}" in fig.axes[0].lines[0].get_label()


def test_plot_roc_and_precision_recall_multiclass(tmp_path, rng):
    y = rng.integers(0, 3, 120)
    p = rng.dirichlet(np.ones(3), 120)
    fig = plotting.plot_roc(y, p, labels=["a", "b", "c"], path=tmp_path / "roc.png")
    _png(tmp_path / "roc.png")
    assert len(fig.axes[0].lines) == 4  # one per class + chance
    assert fig.axes[0].lines[0].get_label().startswith("class a")
    fig = plotting.plot_precision_recall(np.eye(3)[y], p)  # one-hot targets work too
    assert len(fig.axes[0].lines) == 3


def test_regression_pictures(tmp_path, rng):
    y = rng.normal(size=150)
    pred = y + rng.normal(scale=0.3, size=150)
    fig = plotting.plot_predicted_vs_actual(y, pred[:, None], path=tmp_path / "pva.png")
    _png(tmp_path / "pva.png")
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1 and len(fig.axes[0].collections) == 1
    fig = plotting.plot_residuals(y, pred, path=tmp_path / "res.png")
    _png(tmp_path / "res.png")
    assert len(fig.axes) == 2
    assert len(fig.axes[1].patches) == 30  # histogram bars
    with pytest.raises(ValueError, match="one prediction per target"):
        plotting.plot_residuals(y, pred[:10])


def test_other_formats_follow_the_extension(tmp_path):
    plotting.plot_activations(["tanh"], path=tmp_path / "a.svg")
    assert b"<svg" in (tmp_path / "a.svg").read_bytes()[:2000]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        plotting.plot_activations(["tanh"], path=tmp_path / "missing" / "a.png")


# -- teaching pictures ----------------------------------------------------------------------
def test_plot_activations_renders_function_and_derivative(tmp_path):
    fig = plotting.plot_activations(path=tmp_path / "act.png")
    _png(tmp_path / "act.png")
    assert len(fig.axes) == len(plotting.COURSE_ACTIVATIONS)
    assert all(len(ax.lines) == 2 for ax in fig.axes)
    with pytest.raises(ValueError, match="not elementwise"):
        plotting.plot_activations(["softmax"])


def test_activation_derivatives_come_from_backward_and_match_closed_forms():
    x = np.linspace(-4, 4, 81)
    x = x[np.abs(x) > 1e-9]  # skip the kink at 0
    sig = 1 / (1 + np.exp(-x))
    expected = {
        "sigmoid": (sig, sig * (1 - sig)),
        "tanh": (np.tanh(x), 1 - np.tanh(x) ** 2),
        "relu": (np.maximum(x, 0), (x > 0) * 1.0),
        "linear": (x, np.ones_like(x)),
        "step": ((x > 0) * 1.0, np.zeros_like(x)),
        "softplus": (np.log1p(np.exp(x)), sig),
    }
    for name, (f, df) in expected.items():
        values, grads = plotting.activation_curve(name, x)
        np.testing.assert_allclose(values, f, rtol=1e-12, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(grads, df, rtol=1e-12, atol=1e-12, err_msg=name)


def _closed_form_steps(rate, w0, tol):
    """Smallest t with |w0| |1 - 2 rate|^t <= tol, None when |1 - 2 rate| >= 1."""
    factor = abs(1 - 2 * rate)
    if abs(w0) <= tol:
        return 0
    if factor >= 1:
        return None
    if factor == 0:
        return 1
    return math.ceil(math.log(tol / abs(w0)) / math.log(factor))


@pytest.mark.parametrize("rate", [0.01, 0.03, 0.1, 0.25, 0.37, 0.5, 0.8, 0.95, 1.0, 1.2])
@pytest.mark.parametrize("w0, tol", [(1.0, 1e-3), (-3.7, 1e-4), (2.3, 0.05)])
def test_learning_rate_steps_match_closed_form(rate, w0, tol):
    steps, trajectory = plotting.descend(rate, w0=w0, tol=tol, max_steps=2000)
    assert steps == _closed_form_steps(rate, w0, tol)
    # every step is w <- (1 - 2 rate) w
    np.testing.assert_allclose(trajectory[1:], (1 - 2 * rate) * trajectory[:-1], rtol=1e-12)
    if rate > 1:
        assert abs(trajectory[-1]) > 1e6 * abs(w0)  # stopped because it diverged


def test_plot_learning_rates(tmp_path):
    fig = plotting.plot_learning_rates(path=tmp_path / "lr.png")
    _png(tmp_path / "lr.png")
    assert fig.steps == {0.03: 112, 0.1: 31, 1.0: None}
    assert fig.steps == {r: _closed_form_steps(r, 1.0, 1e-3) for r in (0.03, 0.1, 1.0)}
    assert len(fig.axes) == 4  # one panel per rate + the distance panel
    titles = [ax.get_title() for ax in fig.axes]
    assert "112 steps" in titles[0] and "oscillates" in titles[2]
    fig = plotting.plot_learning_rates((0.1, 1.5))
    assert fig.steps == {0.1: 31, 1.5: None} and "diverges" in fig.axes[1].get_title()
    with pytest.raises(ValueError, match="rate"):
        plotting.plot_learning_rates((0.1, -1.0))


def test_optimizer_paths_reach_the_minimum():
    paths = plotting.optimizer_paths(steps=100)
    assert list(paths) == ["SGD", "momentum", "AdaGrad", "RMSProp", "Adam"]
    for name, points in paths.items():
        assert points.shape == (101, 2)
        np.testing.assert_array_equal(points[0], [-5.0, -2.0])
        assert np.linalg.norm(points[-1]) < 0.1, name
        loss = plotting.ravine(points[:, 0], points[:, 1])
        assert loss[-1] < 1e-3 * loss[0], name
    # plain gradient descent on the ravine is the closed form x_t = (1 - 0.2 lr)^t x_0,
    # y_t = (1 - 4 lr)^t y_0
    t = np.arange(101)
    np.testing.assert_allclose(paths["SGD"][:, 0], -5.0 * 0.92 ** t, rtol=1e-10)
    np.testing.assert_allclose(paths["SGD"][:, 1], -2.0 * (-0.6) ** t, rtol=1e-10, atol=1e-300)


def test_plot_optimizer_paths(tmp_path):
    fig = plotting.plot_optimizer_paths(steps=40, path=tmp_path / "opt.png")
    _png(tmp_path / "opt.png")
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 5
    custom = {"slow SGD": optimizers.SGD(learning_rate=0.01)}
    fig = plotting.plot_optimizer_paths(custom, start=(1.0, 1.0), steps=10)
    assert len(fig.axes[0].lines) == 1
    with pytest.raises(TypeError, match="Optimizer"):
        plotting.optimizer_paths({"bad": "adam"})
    with pytest.raises(ValueError, match="start"):
        plotting.optimizer_paths(start=(1.0, 2.0, 3.0))


def test_learning_curves_count_epochs_from_one_and_keep_the_gap_visible():
    logs = {"loss": [40.0, 4.0, 1.0, 0.8, 0.7], "val_loss": [42.0, 5.0, 1.6, 1.5, 1.55],
            "mae": [5.0, 1.5, 0.8, 0.7, 0.65], "val_mae": [5.1, 1.7, 1.0, 0.95, 0.97]}
    fig = plotting.plot_history(logs)
    train, _ = fig.axes[0].lines
    assert list(train.get_xdata()) == [1, 2, 3, 4, 5]
    history = History()
    for epoch in range(5):
        history.on_epoch_end(epoch, {k: v[epoch] for k, v in logs.items()})
    history.best_epoch = 3  # the 4th epoch
    fig = plotting.plot_history(history, log_scale=True, ylabels={"mae": "mae (k$)"})
    loss_axes, mae_axes = fig.axes
    assert loss_axes.get_yscale() == "log" and loss_axes.get_title() == "loss (log scale)"
    assert mae_axes.get_ylabel() == "mae (k$)" and loss_axes.get_ylabel() == "loss"
    assert loss_axes.lines[2].get_xdata()[0] == 4  # the best epoch, numbered from 1
    fig = plotting.plot_history(history, metrics=["loss"], skip_epochs=2)
    axes = fig.axes[0]
    assert list(axes.lines[0].get_xdata()) == [3, 4, 5]
    assert list(axes.lines[1].get_ydata()) == [1.6, 1.5, 1.55]
    assert axes.get_title() == "loss, from epoch 3"
    with pytest.raises(ValueError, match="skip_epochs must be an integer in \\[0, 5\\)"):
        plotting.plot_history(history, skip_epochs=5)


def test_test_plots_say_which_rows_and_name_the_target(rng):
    y = rng.integers(0, 2, 50)
    s = np.clip(0.4 * y + rng.random(50), 0, 1)
    assert plotting.plot_roc(y, s, subset="test set").axes[0].get_title() == \
        "ROC curve (test set)"
    assert plotting.plot_precision_recall(y, s, subset="test set").axes[0].get_title() == \
        "precision-recall curve (test set)"
    heat = plotting.plot_confusion_matrix([[5, 1], [2, 7]], labels=["No", "Yes"],
                                          subset="test set", target="Purchase").axes[0]
    assert heat.get_title() == "confusion matrix (test set)"
    assert (heat.get_xlabel(), heat.get_ylabel()) == ("predicted Purchase", "true Purchase")
    actual, predicted = rng.normal(20, 5, 40), rng.normal(20, 5, 40)
    scatter = plotting.plot_predicted_vs_actual(actual, predicted, subset="test set",
                                                target="medv (k$)").axes[0]
    assert scatter.get_xlabel() == "actual medv (k$)" and "test set" in scatter.get_title()
    left, right = plotting.plot_residuals(actual, predicted, subset="test set",
                                          target="medv (k$)").axes
    assert left.get_ylabel() == "residual medv (k$) (actual - predicted)"
    assert right.get_title().endswith("(test set)")
