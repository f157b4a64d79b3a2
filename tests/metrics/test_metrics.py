"""Streaming metrics against scikit-learn and closed forms, fed in several batches."""

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from neurona import Tensor
from neurona import metrics
from neurona.metrics import (AUC, F1Score, FBetaScore, FalseNegatives, FalsePositives, Mean,
                             MeanMetricWrapper, Precision, R2Score, Recall, Sum, TrueNegatives,
                             TruePositives)

N = 240


def feed(metric, ops, y_true, y_pred, sample_weight=None, batches=4):
    """Update ``metric`` batch by batch with backend arrays; return the result."""
    for idx in np.array_split(np.arange(len(y_true)), batches):
        w = None if sample_weight is None else ops.asarray(sample_weight[idx])
        metric.update_state(ops.asarray(y_true[idx]), ops.asarray(y_pred[idx]), sample_weight=w)
    return metric.result()


@pytest.fixture
def weights(rng):
    return rng.uniform(0.1, 2.0, size=N)


def binary_data(rng):
    y = (rng.uniform(size=N) < 0.4).astype("float32")
    p = np.clip(0.35 * y + rng.uniform(0, 0.7, size=N), 0, 1).astype("float32")
    return y, p


def multiclass_data(rng, classes=5):
    labels = rng.integers(0, classes, size=N)
    scores = rng.normal(size=(N, classes)).astype("float32")
    scores[np.arange(N), labels] += 0.8  # better than chance, far from perfect
    return labels, np.eye(classes, dtype="float32")[labels], scores


# -- reductions -------------------------------------------------------------------------------
def test_mean_and_sum_weighted(ops, rng, weights):
    values = rng.normal(size=N)
    mean, total = Mean(), Sum()
    for idx in np.array_split(np.arange(N), 3):
        mean.update_state(ops.asarray(values[idx]), sample_weight=ops.asarray(weights[idx]))
        total.update_state(ops.asarray(values[idx]), sample_weight=ops.asarray(weights[idx]))
    assert mean.result() == pytest.approx(np.average(values, weights=weights), rel=1e-5)
    assert total.result() == pytest.approx(np.sum(values * weights), rel=1e-5)


def test_mean_tracks_scalar_losses_by_batch_size(ops):
    m = Mean(name="loss")
    m.update_state(ops.asarray(2.0), sample_weight=3)
    m.update_state(Tensor(ops.asarray(4.0)), sample_weight=1)
    assert m.result() == pytest.approx((2.0 * 3 + 4.0) / 4)
    m.reset_state()
    assert m.result() == 0.0
    assert m(ops.asarray([1.0, 2.0])) == pytest.approx(1.5)  # __call__ updates, then reports


def test_mean_of_rows_averages_columns_first(ops):
    m = Mean()
    m.update_state(ops.asarray([[1.0, 3.0], [5.0, 7.0]]), sample_weight=ops.asarray([1.0, 0.0]))
    assert m.result() == pytest.approx(2.0)


# -- accuracy ---------------------------------------------------------------------------------
@pytest.mark.parametrize("threshold", [0.5, 0.3])
def test_binary_accuracy(ops, rng, weights, threshold):
    y, p = binary_data(rng)
    m = metrics.BinaryAccuracy(threshold=threshold)
    got = feed(m, ops, y[:, None], p[:, None], weights)
    assert got == pytest.approx(skm.accuracy_score(y, p > threshold, sample_weight=weights),
                                rel=1e-6)


def test_categorical_accuracies(ops, rng, weights):
    labels, onehot, scores = multiclass_data(rng)
    want = skm.accuracy_score(labels, scores.argmax(1), sample_weight=weights)
    assert feed(metrics.CategoricalAccuracy(), ops, onehot, scores, weights) == \
        pytest.approx(want, rel=1e-6)
    assert feed(metrics.SparseCategoricalAccuracy(), ops, labels, scores, weights) == \
        pytest.approx(want, rel=1e-6)
    assert feed(metrics.SparseCategoricalAccuracy(), ops, labels[:, None], scores) == \
        pytest.approx(skm.accuracy_score(labels, scores.argmax(1)), rel=1e-6)


def test_exact_accuracy(ops, rng, weights):
    a, b = rng.integers(0, 3, size=N), rng.integers(0, 3, size=N)
    got = feed(metrics.Accuracy(), ops, a[:, None], b[:, None], weights)
    assert got == pytest.approx(skm.accuracy_score(a, b, sample_weight=weights), rel=1e-6)


@pytest.mark.parametrize("k", [1, 3])
def test_top_k_accuracies(ops, rng, weights, k):
    labels, onehot, scores = multiclass_data(rng, classes=6)
    want = skm.top_k_accuracy_score(labels, scores, k=k, labels=range(6), sample_weight=weights)
    assert feed(metrics.TopKCategoricalAccuracy(k=k), ops, onehot, scores, weights) == \
        pytest.approx(want, rel=1e-6)
    assert feed(metrics.SparseTopKCategoricalAccuracy(k=k), ops, labels, scores, weights) == \
        pytest.approx(want, rel=1e-6)


def test_accuracy_functions_are_per_sample(ops):
    out = metrics.binary_accuracy(ops.asarray([[1.0, 0.0], [1.0, 1.0]]),
                                  ops.asarray([[0.9, 0.2], [0.1, 0.8]]))
    np.testing.assert_allclose(ops.to_numpy(out), [1.0, 0.5])
    out = metrics.top_k_categorical_accuracy(ops.asarray([[0, 0, 1.0]]),
                                             ops.asarray([[0.5, 0.1, 0.4]]), k=2)
    np.testing.assert_allclose(ops.to_numpy(out), [1.0])


# -- confusion counts, precision, recall --------------------------------------------------------
def test_confusion_counts_match_sklearn(ops, rng, weights):
    y, p = binary_data(rng)
    for t in (0.5, 0.25):
        tn, fp, fn, tp = skm.confusion_matrix(y, p > t, sample_weight=weights).ravel()
        for cls, want in ((TruePositives, tp), (FalsePositives, fp), (TrueNegatives, tn),
                          (FalseNegatives, fn)):
            assert feed(cls(thresholds=t), ops, y, p, weights) == pytest.approx(want, rel=1e-5)


def test_count_threshold_list_gives_an_array(ops, rng):
    y, p = binary_data(rng)
    thresholds = [0.7, 0.1, 0.5]
    got = feed(FalsePositives(thresholds=thresholds), ops, y, p)
    want = [skm.confusion_matrix(y, p > t).ravel()[1] for t in thresholds]
    np.testing.assert_allclose(got, want)


def test_precision_recall_match_sklearn(ops, rng, weights):
    y, p = binary_data(rng)
    assert feed(Precision(), ops, y, p, weights) == pytest.approx(
        skm.precision_score(y, p > 0.5, sample_weight=weights), rel=1e-5)
    assert feed(Recall(), ops, y[:, None], p[:, None], weights) == pytest.approx(
        skm.recall_score(y, p > 0.5, sample_weight=weights), rel=1e-5)
    thresholds = [0.2, 0.6, 0.4]
    got = feed(Precision(thresholds=thresholds), ops, y, p, weights)
    assert isinstance(got, np.ndarray) and got.shape == (3,)
    want = [skm.precision_score(y, p > t, sample_weight=weights) for t in thresholds]
    np.testing.assert_allclose(got, want, rtol=1e-5)
    got = feed(Recall(thresholds=thresholds), ops, y, p)
    np.testing.assert_allclose(got, [skm.recall_score(y, p > t) for t in thresholds], rtol=1e-5)


def test_precision_recall_class_id_and_top_k(ops, rng):
    labels, onehot, scores = multiclass_data(rng, classes=4)
    probs = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    got = feed(Precision(class_id=2), ops, onehot, probs)
    assert got == pytest.approx(skm.precision_score(onehot[:, 2], probs[:, 2] > 0.5), rel=1e-5)
    top1 = np.eye(4)[probs.argmax(1)]
    got = feed(Recall(top_k=1), ops, onehot, probs)
    assert got == pytest.approx(skm.recall_score(onehot.ravel(), top1.ravel()), rel=1e-5)
    got = feed(Precision(top_k=1, class_id=1), ops, onehot, probs)
    assert got == pytest.approx(skm.precision_score(onehot[:, 1], top1[:, 1]), rel=1e-5)


# -- F scores ---------------------------------------------------------------------------------
@pytest.mark.parametrize("average", [None, "micro", "macro", "weighted"])
def test_f1_and_fbeta_multilabel_threshold(ops, rng, weights, average):
    y = (rng.uniform(size=(N, 4)) < 0.4).astype("float32")
    p = np.clip(0.3 * y + rng.uniform(0, 0.75, size=(N, 4)), 0, 1).astype("float32")
    decided = (p > 0.5).astype(int)
    got = feed(F1Score(average=average, threshold=0.5), ops, y, p, weights)
    want = skm.f1_score(y, decided, average=average, sample_weight=weights, zero_division=0)
    np.testing.assert_allclose(got, want, rtol=1e-5)
    got = feed(FBetaScore(average=average, beta=2.0, threshold=0.5), ops, y, p)
    want = skm.fbeta_score(y, decided, beta=2.0, average=average, zero_division=0)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_f1_argmax_decoding_matches_multiclass_f1(ops, rng):
    labels, onehot, scores = multiclass_data(rng)
    got = feed(F1Score(), ops, onehot, scores)
    assert got.shape == (5,) and got.dtype == np.float32
    np.testing.assert_allclose(got, skm.f1_score(labels, scores.argmax(1), average=None),
                               rtol=1e-5)
    got = feed(F1Score(average="macro"), ops, onehot, scores)
    assert got == pytest.approx(skm.f1_score(labels, scores.argmax(1), average="macro"),
                                rel=1e-5)


# -- AUC --------------------------------------------------------------------------------------
def test_auc_keras_example(ops):
    m = AUC(num_thresholds=3)
    m.update_state(ops.asarray([0, 0, 1, 1]), ops.asarray([0, 0.5, 0.3, 0.9]))
    assert m.result() == pytest.approx(0.75)
    m.reset_state()
    m.update_state(ops.asarray([0, 0, 1, 1]), ops.asarray([0, 0.5, 0.3, 0.9]),
                   sample_weight=ops.asarray([1, 0, 0, 1]))
    assert m.result() == pytest.approx(1.0)


def test_roc_auc_is_exact_on_the_threshold_grid(ops, rng, weights):
    y, p = binary_data(rng)
    # 200 thresholds put scores in 199 buckets; the trapezoid ROC is exact for bucketed scores
    bucketed = np.ceil(p.astype("float64") * 199)
    got = feed(AUC(), ops, y, p, weights)
    assert got == pytest.approx(skm.roc_auc_score(y, bucketed, sample_weight=weights), abs=1e-6)
    assert got == pytest.approx(skm.roc_auc_score(y, p, sample_weight=weights), abs=0.01)
    fine = feed(AUC(num_thresholds=20001), ops, y, p, weights)
    assert fine == pytest.approx(skm.roc_auc_score(y, p, sample_weight=weights), abs=1e-4)


def test_pr_auc(ops, rng):
    y, p = binary_data(rng)
    ap = skm.average_precision_score(y, p)
    trapezoid = skm.auc(*skm.precision_recall_curve(y, p)[1::-1])
    assert feed(AUC(curve="PR"), ops, y, p) == pytest.approx(ap, abs=0.02)
    assert feed(AUC(curve="PR", num_thresholds=20001), ops, y, p) == \
        pytest.approx(trapezoid, abs=0.01)
    # the upper Riemann sum on a fine grid is average precision's step sum
    fine = feed(AUC(curve="PR", summation_method="majoring", num_thresholds=20001), ops, y, p)
    assert fine == pytest.approx(ap, abs=1e-4)


def test_auc_multi_label_from_logits_and_label_weights(ops, rng):
    y = (rng.uniform(size=(N, 3)) < 0.5).astype("float32")
    logits = (1.5 * y + rng.normal(size=(N, 3))).astype("float32")
    per_label = skm.roc_auc_score(y, logits, average=None)
    m = AUC(num_thresholds=20001, multi_label=True, from_logits=True)
    assert feed(m, ops, y, logits) == pytest.approx(per_label.mean(), abs=1e-4)
    m = AUC(num_thresholds=20001, multi_label=True, from_logits=True, label_weights=[1, 0, 3])
    assert feed(m, ops, y, logits) == pytest.approx(
        np.average(per_label, weights=[1, 0, 3]), abs=1e-4)
    flat = skm.roc_auc_score(y.ravel(), logits.ravel())
    assert feed(AUC(num_thresholds=20001, from_logits=True), ops, y, logits) == \
        pytest.approx(flat, abs=1e-4)


# -- regression ---------------------------------------------------------------------------------
@pytest.fixture
def regression_data(rng):
    y = rng.uniform(0.5, 3.0, size=(N, 3))
    return y, y + rng.normal(scale=0.4, size=(N, 3))


def test_mean_errors_match_sklearn(ops, regression_data, weights):
    y, p = regression_data
    p = np.abs(p)
    cases = [
        (metrics.MeanAbsoluteError(), skm.mean_absolute_error(y, p, sample_weight=weights)),
        (metrics.MeanSquaredError(), skm.mean_squared_error(y, p, sample_weight=weights)),
        (metrics.RootMeanSquaredError(),
         math.sqrt(skm.mean_squared_error(y, p, sample_weight=weights))),
        (metrics.MeanAbsolutePercentageError(),
         100 * skm.mean_absolute_percentage_error(y, p, sample_weight=weights)),
        (metrics.MeanSquaredLogarithmicError(),
         skm.mean_squared_log_error(y, p, sample_weight=weights)),
    ]
    for metric, want in cases:
        assert feed(metric, ops, y, p, weights) == pytest.approx(want, rel=1e-5), metric.name


def test_rmse_single_output_matches_sklearn(ops, regression_data):
    y, p = regression_data[0][:, 0], regression_data[1][:, 0]
    got = feed(metrics.RootMeanSquaredError(), ops, y, p[:, None])
    assert got == pytest.approx(skm.root_mean_squared_error(y, p), rel=1e-5)


def test_logcosh_and_cosine_closed_forms(ops, regression_data, weights):
    y, p = regression_data
    want = np.average(np.log(np.cosh(p - y)).mean(1), weights=weights)
    assert feed(metrics.LogCoshError(), ops, y, p, weights) == pytest.approx(want, rel=1e-5)
    cos = (y * p).sum(1) / np.linalg.norm(y, axis=1) / np.linalg.norm(p, axis=1)
    assert feed(metrics.CosineSimilarity(), ops, y, p, weights) == \
        pytest.approx(np.average(cos, weights=weights), rel=1e-5)
    big = metrics.log_cosh(ops.asarray([0.0]), ops.asarray([1000.0]))
    assert float(ops.to_numpy(big)[0]) == pytest.approx(1000 - math.log(2), rel=1e-6)


@pytest.mark.parametrize("aggregation, multioutput", [
    ("uniform_average", "uniform_average"),
    ("variance_weighted_average", "variance_weighted"),
    (None, "raw_values"),
])
def test_r2_matches_sklearn(ops, regression_data, weights, aggregation, multioutput):
    y, p = regression_data
    got = feed(R2Score(class_aggregation=aggregation), ops, y, p, weights)
    want = skm.r2_score(y, p, sample_weight=weights, multioutput=multioutput)
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_adjusted_r2_closed_form(ops, regression_data):
    y, p = regression_data[0][:, :1], regression_data[1][:, :1]
    r2 = skm.r2_score(y, p)
    got = feed(R2Score(num_regressors=4), ops, y.ravel(), p.ravel())
    assert got == pytest.approx(1 - (1 - r2) * (N - 1) / (N - 4 - 1), rel=1e-5)
    m = R2Score(num_regressors=5)
    m.update_state(ops.asarray([1.0, 2.0, 4.0]), ops.asarray([1.5, 2.0, 3.0]))
    with pytest.warns(UserWarning, match="num_regressors"):
        assert m.result() == pytest.approx(skm.r2_score([1, 2, 4], [1.5, 2, 3]), rel=1e-5)


# -- state, inputs, directions ----------------------------------------------------------------
def test_reset_state_starts_over(ops, rng):
    y, p = binary_data(rng)
    for make in (lambda: AUC(), lambda: F1Score(threshold=0.5), lambda: Precision(),
                 lambda: R2Score(), metrics.MeanSquaredError):
        m = make()
        feed(m, ops, y[:, None], p[:, None])
        m.reset_state()
        assert feed(m, ops, y[:40, None], p[:40, None]) == \
            pytest.approx(feed(make(), ops, y[:40, None], p[:40, None]))


def test_tensor_inputs_record_no_graph(ops, rng):
    y, p = binary_data(rng)
    pred = Tensor(ops.asarray(p), requires_grad=True)
    m = metrics.BinaryAccuracy()
    m.update_state(Tensor(ops.asarray(y)), pred)
    assert m.result() == pytest.approx(skm.accuracy_score(y, p > 0.5))
    assert pred.grad is None and pred.creator is None


def test_update_state_never_copies_to_host(ops, rng, monkeypatch, weights):
    y, p = binary_data(rng)

    def refuse(*_):
        raise AssertionError("update_state copied a value to the host")

    made = [metrics.get(name) for name in ("acc", "precision", "recall", "auc", "mse", "mae",
                                           "rmse", "r2_score", "true_negatives")]
    made += [F1Score(threshold=0.5, average="macro")]
    monkeypatch.setattr(type(ops), "to_numpy", refuse)
    for m in made:
        m.update_state(ops.asarray(y[:, None]), ops.asarray(p[:, None]),
                       sample_weight=ops.asarray(weights))
    monkeypatch.undo()
    assert all(np.isfinite(m.result()).all() for m in made)


def test_every_registered_metric_knows_its_direction():
    lower = {"FalsePositives", "FalseNegatives", "MeanAbsoluteError", "MeanSquaredError",
             "RootMeanSquaredError", "MeanAbsolutePercentageError",
             "MeanSquaredLogarithmicError", "LogCoshError", "Mean"}
    for name in metrics.registry.names():
        cls = metrics.registry.lookup(name)
        if cls in (Sum, MeanMetricWrapper):
            continue
        assert cls.direction == ("min" if cls.__name__ in lower else "max"), name
    assert metrics.get("mae").direction == "min"
    assert metrics.get(metrics.categorical_accuracy).direction == "max"
    assert MeanMetricWrapper(lambda t, p: t).direction is None


# -- registry ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kind, cls", [
    (None, metrics.Accuracy), ("binary", metrics.BinaryAccuracy),
    ("categorical", metrics.CategoricalAccuracy),
    ("sparse_categorical", metrics.SparseCategoricalAccuracy),
])
def test_accuracy_resolves_by_label_kind(kind, cls):
    for name in ("accuracy", "acc"):
        m = metrics.get(name, label_kind=kind)
        assert type(m) is cls and m.name == name


def test_get_names_and_aliases():
    for name, cls in (("mae", metrics.MeanAbsoluteError), ("MSE", metrics.MeanSquaredError),
                      ("rmse", metrics.RootMeanSquaredError), ("auc", AUC),
                      ("cosine_proximity", metrics.CosineSimilarity), ("f1_score", F1Score),
                      ("true_positives", TruePositives), ("msle",
                                                          metrics.MeanSquaredLogarithmicError),
                      ("top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy)):
        m = metrics.get(name)
        assert type(m) is cls and m.name == name
    assert metrics.get(None) is None
    m = AUC()
    assert metrics.get(m) is m
    assert type(metrics.get(Precision)) is Precision
    wrapped = metrics.get(metrics.sparse_categorical_accuracy)
    assert isinstance(wrapped, MeanMetricWrapper) and wrapped.name == "sparse_categorical_accuracy"


def test_unknown_names_list_the_choices():
    with pytest.raises(ValueError, match="Did you mean 'accuracy'.*Valid metric names:.*auc"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="label_kind"):
        metrics.get("acc", label_kind="onehot")


def test_serialize_round_trip(ops, rng):
    y, p = binary_data(rng)
    for m in (AUC(num_thresholds=50, curve="PR"), Precision(thresholds=[0.3, 0.6]),
              F1Score(average="macro", threshold=0.4), metrics.BinaryAccuracy(threshold=0.3),
              R2Score(num_regressors=2), MeanMetricWrapper(metrics.binary_accuracy,
                                                           threshold=0.2, name="ba")):
        again = metrics.deserialize(metrics.serialize(m))
        assert type(again) is type(m) and again.get_config() == m.get_config()
        yy, pp = (np.stack([y, 1 - y], 1), np.stack([p, 1 - p], 1))
        np.testing.assert_allclose(feed(again, ops, yy, pp), feed(m, ops, yy, pp))


# -- bad input --------------------------------------------------------------------------------
def test_bad_shapes_raise_clear_errors(ops):
    three = ops.asarray(np.zeros((4, 3)))
    one = ops.asarray(np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"y_true has shape \(4, 1\).*y_pred has shape \(4, 3\)"):
        metrics.MeanSquaredError().update_state(one, three)
    with pytest.raises(ValueError, match="sample_weight has shape"):
        metrics.MeanAbsoluteError().update_state(three, three, sample_weight=ops.asarray([1.0]*3))
    with pytest.raises(ValueError, match="sample_weight has shape"):
        Precision().update_state(one, one, sample_weight=ops.asarray(np.ones(5)))
    with pytest.raises(ValueError, match="one-hot"):
        metrics.SparseCategoricalAccuracy().update_state(three, three)
    with pytest.raises(ValueError, match=r"\(N, num_classes\)"):
        F1Score().update_state(ops.asarray(np.zeros(4)), ops.asarray(np.zeros(4)))
    with pytest.raises(ValueError, match="multi_label"):
        AUC(multi_label=True).update_state(ops.asarray(np.zeros(4)), ops.asarray(np.zeros(4)))
    with pytest.raises(ValueError, match="class_id=5"):
        Precision(class_id=5).update_state(three, three)
    f1 = F1Score()
    f1.update_state(three, three)
    with pytest.raises(ValueError, match="3 classes"):
        f1.update_state(ops.asarray(np.zeros((4, 2))), ops.asarray(np.zeros((4, 2))))


@pytest.mark.parametrize("make, match", [
    (lambda: metrics.BinaryAccuracy(threshold=1.5),
     r"^BinaryAccuracy: threshold must be in \(0.0, 1.0\), got threshold=1.5$"),
    (lambda: metrics.TopKCategoricalAccuracy(k=0),
     "^TopKCategoricalAccuracy: k must be an integer >= 1, got k=0$"),
    (lambda: metrics.sparse_top_k_categorical_accuracy([0], [[0.5, 0.5]], k=1.0),
     "sparse_top_k_categorical_accuracy: k must be an integer >= 1, got k=1.0"),
    (lambda: Precision(thresholds=[0.2, 1.2]), r"thresholds=\[0.2, 1.2\]"),
    (lambda: Recall(top_k=0), "^Recall: top_k must be an integer >= 1 or None, got top_k=0$"),
    (lambda: Precision(class_id=-1), "Precision: class_id must be an integer >= 0 or None"),
    (lambda: F1Score(average="mean"), "average='mean'"),
    (lambda: FBetaScore(beta=0.0), "beta=0.0"),
    (lambda: F1Score(threshold=0.0), "threshold=0.0"),
    (lambda: AUC(num_thresholds=1), "AUC: num_thresholds must be an integer >= 2, got "
                                    "num_thresholds=1"),
    (lambda: AUC(curve="PRGAIN"), "curve='PRGAIN'"),
    (lambda: AUC(summation_method="trapezoid"), "summation_method='trapezoid'"),
    (lambda: AUC(num_labels=3), "num_labels=3"),
    (lambda: R2Score(class_aggregation="mean"), "class_aggregation='mean'"),
    (lambda: R2Score(num_regressors=-1), "R2Score: num_regressors must be an integer >= 0, got "
                                         "num_regressors=-1"),
    (lambda: Mean(dtype="int32"), "Mean: dtype must be one of .*, got dtype='int32'"),
    (lambda: FBetaScore(beta=0.0), "FBetaScore: beta must be > 0.0, got beta=0.0"),
    (lambda: Mean(dtype="floaty"), "floaty"),
])
def test_bad_arguments_name_the_value(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_wrapper_rejects_misspelt_function_arguments():
    with pytest.raises(TypeError, match="treshold"):
        MeanMetricWrapper(metrics.binary_accuracy, treshold=0.3)
