"""neurona.evaluation against scikit-learn on random inputs (ties included), plus layout,
threshold choice against brute force, and input validation."""

import numpy as np
import pytest

sk = pytest.importorskip("sklearn.metrics")

from neurona import evaluation as E  # noqa: E402

SEEDS = [0, 1, 2, 3, 4]


def _labels(rng, n, k):
    return rng.integers(0, k, n)


def _tied_scores(rng, n):
    """Scores rounded to one decimal: many ties."""
    return np.round(rng.random(n), 1)


# -- confusion matrix and report ------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("normalize", [None, "true", "pred", "all"])
def test_confusion_matrix_matches_sklearn(seed, k, normalize):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _labels(rng, 60, k), _labels(rng, 60, k)
    ours = E.confusion_matrix(y_true, y_pred, normalize=normalize)
    np.testing.assert_allclose(ours, sk.confusion_matrix(y_true, y_pred, normalize=normalize),
                               rtol=1e-12, atol=0)
    assert ours.dtype == (np.int64 if normalize is None else np.float64)


def test_confusion_matrix_labels_order_subset_and_strings():
    y_true = ["cat", "dog", "dog", "bird", "cat", "dog"]
    y_pred = ["dog", "dog", "cat", "bird", "cat", "bird"]
    for labels in (None, ["dog", "cat"], ["dog", "cat", "bird", "fish"]):
        np.testing.assert_array_equal(E.confusion_matrix(y_true, y_pred, labels=labels),
                                      sk.confusion_matrix(y_true, y_pred, labels=labels))
    # a class predicted but never true leaves an empty row: normalized to zeros, not NaN
    cm = E.confusion_matrix([0, 0, 1], [0, 2, 1], normalize="true")
    np.testing.assert_array_equal(cm[2], [0.0, 0.0, 0.0])


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("k", [2, 4])
def test_classification_report_dict_matches_sklearn(seed, k):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _labels(rng, 50, k), _labels(rng, 50, k)
    y_pred[y_pred == k - 1] = 0  # a class never predicted: zero_division applies
    ours = E.classification_report(y_true, y_pred, output_dict=True)
    ref = sk.classification_report(y_true, y_pred, output_dict=True, zero_division=0)
    assert list(ours) == list(ref)
    for key, value in ref.items():
        if isinstance(value, dict):
            assert set(ours[key]) == set(value)
            for metric, number in value.items():
                assert ours[key][metric] == pytest.approx(number, rel=1e-12, abs=1e-15), \
                    (key, metric)
        else:
            assert ours[key] == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("digits", [2, 4])
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_classification_report_text_matches_sklearn(seed, digits):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _labels(rng, 40, 3), _labels(rng, 40, 3)
    names = ["setosa", "versicolor", "a-much-longer-class-name"]
    assert E.classification_report(y_true, y_pred, digits=digits) == \
        sk.classification_report(y_true, y_pred, digits=digits, zero_division=0)
    assert E.classification_report(y_true, y_pred, target_names=names, digits=digits) == \
        sk.classification_report(y_true, y_pred, target_names=names, digits=digits,
                                 zero_division=0)


def test_classification_report_label_subset_gives_micro_avg():
    rng = np.random.default_rng(7)
    y_true, y_pred = _labels(rng, 60, 4), _labels(rng, 60, 4)
    for labels in ([0, 2], [3, 1, 0]):
        text = E.classification_report(y_true, y_pred, labels=labels)
        assert "micro avg" in text and "accuracy" not in text
        assert text == sk.classification_report(y_true, y_pred, labels=labels, zero_division=0)
        ours = E.classification_report(y_true, y_pred, labels=labels, output_dict=True)
        ref = sk.classification_report(y_true, y_pred, labels=labels, output_dict=True,
                                       zero_division=0)
        for key in ref:
            for metric in ref[key]:
                assert ours[key][metric] == pytest.approx(ref[key][metric], rel=1e-12)


def test_classification_report_zero_division_options():
    y_true, y_pred = [0, 1, 1, 2], [0, 1, 1, 1]
    for zd in (0, 1, np.nan):
        ours = E.classification_report(y_true, y_pred, output_dict=True, zero_division=zd)
        ref = sk.classification_report(y_true, y_pred, output_dict=True, zero_division=zd)
        for key in ("2", "macro avg", "weighted avg"):
            np.testing.assert_allclose([ours[key][m] for m in ("precision", "recall", "f1-score")],
                                       [ref[key][m] for m in ("precision", "recall", "f1-score")],
                                       rtol=1e-12)


# -- curves ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("drop", [False, True])
def test_roc_curve_matches_sklearn(seed, ties, drop):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 80)
    s = _tied_scores(rng, 80) if ties else rng.random(80)
    for ours, ref in zip(E.roc_curve(y, s, drop_intermediate=drop),
                         sk.roc_curve(y, s, drop_intermediate=drop)):
        np.testing.assert_array_equal(ours, ref)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
@pytest.mark.parametrize("drop", [False, True])
def test_precision_recall_curve_matches_sklearn(seed, ties, drop):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 80)
    s = _tied_scores(rng, 80) if ties else rng.random(80)
    for ours, ref in zip(E.precision_recall_curve(y, s, drop_intermediate=drop),
                         sk.precision_recall_curve(y, s, drop_intermediate=drop)):
        np.testing.assert_allclose(ours, ref, rtol=1e-15, atol=0)


def test_curves_with_pos_label_and_minus_one_targets():
    y = np.array([2, 2, 5, 5, 2, 5])
    s = np.array([0.1, 0.4, 0.35, 0.8, 0.35, 0.35])
    for ours, ref in zip(E.roc_curve(y, s, pos_label=5), sk.roc_curve(y, s, pos_label=5)):
        np.testing.assert_array_equal(ours, ref)
    y_pm = np.where(y == 5, 1, -1)
    assert E.roc_auc_score(y_pm, s) == pytest.approx(sk.roc_auc_score(y_pm, s), rel=1e-14)
    assert E.average_precision_score(y_pm, s) == \
        pytest.approx(sk.average_precision_score(y_pm, s), rel=1e-14)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
def test_binary_auc_scores_match_sklearn(seed, ties):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 100)
    s = _tied_scores(rng, 100) if ties else rng.random(100)
    assert E.roc_auc_score(y, s) == pytest.approx(sk.roc_auc_score(y, s), rel=1e-13)
    assert E.average_precision_score(y, s) == \
        pytest.approx(sk.average_precision_score(y, s), rel=1e-13)
    # (n, 1) column of a sigmoid output works the same
    assert E.roc_auc_score(y, s[:, None]) == pytest.approx(sk.roc_auc_score(y, s), rel=1e-13)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("average", ["macro", "weighted"])
def test_multiclass_auc_scores_match_sklearn(seed, average):
    rng = np.random.default_rng(seed)
    k = 4
    y = rng.integers(0, k, 120)
    p = np.round(rng.dirichlet(np.ones(k), 120), 2)
    p /= p.sum(axis=1, keepdims=True)
    assert E.roc_auc_score(y, p, average=average) == pytest.approx(
        sk.roc_auc_score(y, p, multi_class="ovr", average=average), rel=1e-12)
    assert E.average_precision_score(y, p, average=average) == pytest.approx(
        sk.average_precision_score(y, p, average=average), rel=1e-12)
    per_class = E.roc_auc_score(y, p, average=None)
    assert per_class.shape == (k,)


# -- thresholds -----------------------------------------------------------------------------
def _brute_force(y, s, strategy, min_precision=None):
    """Try every distinct score as the threshold (score >= t), keep the best, highest t on ties."""
    best = None
    for t in np.unique(s)[::-1]:
        pred = s >= t
        tp, fp, fn = (pred & (y == 1)).sum(), (pred & (y == 0)).sum(), (~pred & (y == 1)).sum()
        p, r, f = tp / (tp + fp), tp / (tp + fn), 2 * tp / (2 * tp + fp + fn)
        if strategy == "f1":
            key = f
        elif p >= min_precision:
            key = r
        else:
            continue
        if best is None or key > best[0] + 1e-12:
            best = (key, t, p, r, f)
    return best


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
def test_choose_threshold_f1_matches_brute_force(seed, ties):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 60)
    s = np.clip(0.3 * y + (_tied_scores(rng, 60) if ties else rng.random(60)), 0, 1)
    choice = E.choose_threshold(y, s, strategy="f1")
    _, t, p, r, f = _brute_force(y, s, "f1")
    pred = (s >= t).astype(int)  # the brute force's own numbers, cross-checked once
    assert (p, r, f) == pytest.approx((sk.precision_score(y, pred), sk.recall_score(y, pred),
                                       sk.f1_score(y, pred)), rel=1e-12)
    assert choice["threshold"] == t
    assert (choice["precision"], choice["recall"], choice["f1"]) == \
        pytest.approx((p, r, f), rel=1e-12)
    pred = s >= choice["threshold"]
    assert choice["tp"] == int((pred & (y == 1)).sum())
    assert choice["fp"] == int((pred & (y == 0)).sum())
    assert choice["fn"] + choice["tp"] == int(y.sum())
    assert sum(choice[c] for c in ("tp", "fp", "fn", "tn")) == len(y)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("floor", [0.6, 0.8, 0.95])
def test_choose_threshold_recall_at_precision_matches_brute_force(seed, floor):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 80)
    s = np.clip(0.5 * y + _tied_scores(rng, 80), 0, 1.5)
    best = _brute_force(y, s, "recall_at_precision", floor)
    if best is None:
        with pytest.raises(ValueError, match="min_precision"):
            E.choose_threshold(y, s, strategy="recall_at_precision", min_precision=floor)
        return
    choice = E.choose_threshold(y, s, strategy="recall_at_precision", min_precision=floor)
    assert choice["precision"] >= floor
    assert choice["threshold"] == best[1]
    assert choice["recall"] == pytest.approx(best[3], rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("ties", [False, True])
def test_choose_threshold_balanced_accuracy_matches_sklearn_brute_force(seed, ties):
    rng = np.random.default_rng(seed)
    y = (rng.random(70) < 0.2).astype(int)  # imbalanced, as where it matters
    s = np.clip(0.3 * y + (_tied_scores(rng, 70) if ties else rng.random(70)), 0, 1.3)
    scored = [(sk.balanced_accuracy_score(y, (s >= t).astype(int)), t) for t in np.unique(s)]
    best = max(score for score, _ in scored)
    want = max(t for score, t in scored if score >= best - 1e-12)  # the highest on ties
    choice = E.choose_threshold(y, s, strategy="balanced_accuracy")
    assert choice["threshold"] == want
    assert choice["balanced_accuracy"] == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("floor", [0.3, 0.7, 1.0])
def test_choose_threshold_precision_at_recall_matches_brute_force(seed, floor):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 80)
    s = np.clip(0.5 * y + _tied_scores(rng, 80), 0, 1.5)
    candidates = []
    for t in np.unique(s):
        pred = (s >= t).astype(int)
        if sk.recall_score(y, pred) >= floor:
            candidates.append((sk.precision_score(y, pred, zero_division=0), t))
    best = max(p for p, _ in candidates)
    want = max(t for p, t in candidates if p >= best - 1e-12)
    choice = E.choose_threshold(y, s, strategy="precision_at_recall", min_recall=floor)
    assert choice["threshold"] == want and choice["recall"] >= floor
    assert choice["precision"] == pytest.approx(best, rel=1e-12)


def test_choose_threshold_arguments():
    y, s = [0, 1, 1, 0], [0.1, 0.9, 0.6, 0.7]
    with pytest.raises(ValueError, match="strategy"):
        E.choose_threshold(y, s, strategy="accuracy")
    with pytest.raises(ValueError, match="min_precision"):
        E.choose_threshold(y, s, strategy="recall_at_precision")
    with pytest.raises(ValueError, match="min_precision"):
        E.choose_threshold(y, s, min_precision=0.9)
    with pytest.raises(ValueError, match="needs min_recall in"):
        E.choose_threshold(y, s, strategy="precision_at_recall", min_recall=0)
    with pytest.raises(ValueError, match="min_recall=0.5 is only used with strategy="):
        E.choose_threshold(y, s, min_recall=0.5)


# -- regression -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_regression_report_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y = rng.normal(50.0, 10.0, 200)
    pred = y + rng.normal(0.0, 3.0, 200)
    report = E.regression_report(y, pred)
    assert list(report) == ["mae", "mse", "rmse", "mape", "r2", "cosine_proximity"]
    assert report["mae"] == pytest.approx(sk.mean_absolute_error(y, pred), rel=1e-12)
    assert report["mse"] == pytest.approx(sk.mean_squared_error(y, pred), rel=1e-12)
    assert report["rmse"] == pytest.approx(np.sqrt(sk.mean_squared_error(y, pred)), rel=1e-12)
    assert report["mape"] == pytest.approx(
        100 * sk.mean_absolute_percentage_error(y, pred), rel=1e-12)
    assert report["r2"] == pytest.approx(sk.r2_score(y, pred), rel=1e-9)
    cosine = y @ pred / np.linalg.norm(y) / np.linalg.norm(pred)
    assert report["cosine_proximity"] == pytest.approx(cosine, rel=1e-12)
    # a (n, 1) model output gives the same report
    assert E.regression_report(y[:, None], pred[:, None]) == pytest.approx(report, rel=1e-12)


def test_regression_report_multi_output():
    rng = np.random.default_rng(3)
    y = rng.normal(size=(100, 3))
    pred = y + rng.normal(scale=0.5, size=(100, 3))
    report = E.regression_report(y, pred)
    assert report["r2"] == pytest.approx(sk.r2_score(y, pred), rel=1e-9)
    assert report["mse"] == pytest.approx(sk.mean_squared_error(y, pred), rel=1e-12)
    rows = (y * pred).sum(1) / np.linalg.norm(y, axis=1) / np.linalg.norm(pred, axis=1)
    assert report["cosine_proximity"] == pytest.approx(rows.mean(), rel=1e-12)
    text = E.format_regression_report(report)
    assert text.count("\n") == 6 and "r2" in text


# -- classification_summary -----------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("column", [False, True])
def test_classification_summary_binary(seed, column):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 70)
    p = np.clip(0.3 * y + 0.7 * rng.random(70), 0, 1)
    summary = E.classification_summary(y[:, None] if column else y, p[:, None] if column else p,
                                       threshold=0.5)
    expected = (p >= 0.5).astype(int)
    np.testing.assert_array_equal(summary.y_pred, expected)
    np.testing.assert_array_equal(summary.confusion_matrix, sk.confusion_matrix(y, expected))
    assert summary.roc_auc == pytest.approx(sk.roc_auc_score(y, p), rel=1e-12)
    assert summary.pr_auc == pytest.approx(sk.average_precision_score(y, p), rel=1e-12)
    assert summary.report["accuracy"] == pytest.approx(sk.accuracy_score(y, expected))
    assert summary.kind == "binary" and summary.threshold == 0.5
    text = str(summary)
    assert "ROC AUC" in text and "accuracy" in text and "confusion matrix" in text


@pytest.mark.parametrize("seed", SEEDS[:3])
@pytest.mark.parametrize("one_hot", [False, True])
def test_classification_summary_multiclass(seed, one_hot):
    rng = np.random.default_rng(seed)
    k = 3
    y = rng.integers(0, k, 90)
    logits = rng.normal(size=(90, k)) + 1.5 * np.eye(k)[y]
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    summary = E.classification_summary(np.eye(k)[y] if one_hot else y, p,
                                       target_names=["a", "b", "c"])
    np.testing.assert_array_equal(summary.y_pred, p.argmax(1))
    assert summary.roc_auc == pytest.approx(sk.roc_auc_score(y, p, multi_class="ovr"), rel=1e-12)
    assert summary.pr_auc == pytest.approx(sk.average_precision_score(y, p), rel=1e-12)
    assert set(summary.report) == {"a", "b", "c", "accuracy", "macro avg", "weighted avg"}
    assert summary.kind == "multiclass" and summary.threshold is None


def test_classification_summary_absent_class_and_single_class():
    # class 2 never occurs in y_true: the AUCs average over the classes present
    y = np.array([0, 1, 0, 1, 1, 0])
    p = np.array([[.7, .2, .1], [.2, .7, .1], [.5, .3, .2], [.1, .5, .4], [.3, .3, .4],
                  [.6, .1, .3]])
    summary = E.classification_summary(y, p)
    expected = np.mean([sk.roc_auc_score(y == c, p[:, c]) for c in (0, 1)])
    assert summary.roc_auc == pytest.approx(expected, rel=1e-12)
    assert summary.report["2"]["support"] == 0
    # a single class in y_true: AUCs are undefined (NaN), the rest still works
    single = E.classification_summary([1, 1, 1], [0.9, 0.2, 0.7])
    assert np.isnan(single.roc_auc) and single.confusion_matrix.tolist() == [[0, 0], [1, 2]]


# -- validation -----------------------------------------------------------------------------
@pytest.mark.parametrize("call, match", [
    (lambda: E.confusion_matrix([0, 1], [0, 1, 1]), "inconsistent numbers of samples"),
    (lambda: E.confusion_matrix([0, 1], [0, 1], normalize="rows"), "normalize"),
    (lambda: E.confusion_matrix([0, 1], [0, 1], labels=[5, 6]), "none of labels"),
    (lambda: E.confusion_matrix([0, 1], [0, 1], labels=[0, 0]), "duplicates"),
    (lambda: E.confusion_matrix(["a", "b"], [0, 1]), "same type"),
    (lambda: E.confusion_matrix([0, 1], [0.2, 0.9]), "continuous"),
    (lambda: E.confusion_matrix([0, np.nan], [0, 1]), "NaN"),
    (lambda: E.confusion_matrix([], []), "empty"),
    (lambda: E.classification_report([0, 1], [0, 1], target_names=["a"]), "target_names"),
    (lambda: E.classification_report([0, 1], [0, 1], digits=-1), "digits"),
    (lambda: E.classification_report([0, 1], [0, 1], zero_division="warn"), "zero_division"),
    (lambda: E.roc_curve([0, 1, 1], [0.1, np.nan, 0.3]), "NaN|nan"),
    (lambda: E.roc_curve([0, 1, 2], [0.1, 0.2, 0.3]), "pos_label"),
    (lambda: E.roc_curve([1, 1, 1], [0.1, 0.2, 0.3]), "no negative"),
    (lambda: E.precision_recall_curve([0, 0], [0.1, 0.2]), "no positive"),
    (lambda: E.roc_auc_score([0, 1, 2], np.full((3, 4), 0.25)), "columns"),
    (lambda: E.regression_report([1.0, 2.0], [1.0, np.inf]), "inf"),
    (lambda: E.regression_report([1.0, 2.0], [[1.0, 2.0]]), "shape"),
    (lambda: E.classification_summary([0, 1], [0.2, 1.7]), "probabilities"),
    (lambda: E.classification_summary([0, 3], [[0.5, 0.5], [0.1, 0.9]]), "class index"),
    (lambda: E.classification_summary([0, 1], [0.2, 0.8], threshold=2), "threshold"),
])
def test_bad_input_raises_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_binary_curve_rejects_two_column_probabilities():
    with pytest.raises(ValueError, match=r"y_prob\[:, 1\]"):
        E.roc_curve([0, 1], [[0.3, 0.7], [0.6, 0.4]])
