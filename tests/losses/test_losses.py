"""Losses: values and gradients against PyTorch and Keras's closed forms, reductions, sample
weights, the fused logits paths, the registry and the boundary checks."""

import numpy as np
import pytest

import neurona.functions as F
from neurona import Tensor, losses
from neurona.functions import loss as FL

torch = pytest.importorskip("torch")
TF = torch.nn.functional
EPS = 1e-7

DTYPES = ["float32", "float64"]
TOL = {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12)}

_r = np.random.default_rng(3)
N, C = 6, 4
REAL_T, REAL_P = _r.standard_normal((N, C)), _r.standard_normal((N, C))
POS_T, POS_P = _r.uniform(0.2, 3.0, (N, C)), _r.uniform(0.2, 3.0, (N, C))
BIN = (_r.random((N, C)) > 0.5).astype(float)
PROBS = _r.uniform(0.02, 0.98, (N, C))
LOGITS = 3 * _r.standard_normal((N, C))
ONE_HOT = np.eye(C)[_r.integers(0, C, N)]
SOFT = _r.dirichlet(np.ones(C), size=N)
DIST = _r.dirichlet(np.ones(C), size=N) * 0.9 + 0.1 / C  # inside the KL clip range
SIGNS = 2 * BIN - 1


def ours(loss, y_true, y_pred, dtype, **kwargs):
    """Loss value and d loss / d y_pred from neurona, as NumPy."""
    pred = Tensor(np.asarray(y_pred, dtype=dtype), requires_grad=True)
    out = loss(np.asarray(y_true), pred, **kwargs)
    out.backward()
    return out.numpy(), np.asarray(pred.ops.to_numpy(pred.grad))


def theirs(fn, y_true, y_pred, dtype):
    """Loss value and gradient from PyTorch's autograd on the same inputs."""
    pred = torch.tensor(np.asarray(y_pred, dtype=dtype), requires_grad=True)
    out = fn(torch.tensor(np.asarray(y_true, dtype=dtype)), pred)
    out.backward()
    return out.detach().numpy(), pred.grad.numpy()


def assert_match(a, b, dtype):
    for x, y in zip(a, b):
        np.testing.assert_allclose(x, y, **TOL[dtype])


def _clip(p, lo, hi):
    return torch.clamp(p, lo, hi)


# (name, loss, y_true, y_pred, torch reference on (t, p))
PARITY = [
    ("mse", losses.MeanSquaredError(), REAL_T, REAL_P, lambda t, p: TF.mse_loss(p, t)),
    ("mae", losses.MeanAbsoluteError(), REAL_T, REAL_P, lambda t, p: TF.l1_loss(p, t)),
    ("huber", losses.Huber(delta=0.8), REAL_T, REAL_P,
     lambda t, p: TF.huber_loss(p, t, delta=0.8)),
    ("log_cosh", losses.LogCosh(), REAL_T, 4 * REAL_P,
     lambda t, p: torch.log(torch.cosh(p - t)).mean()),
    ("mape", losses.MeanAbsolutePercentageError(), REAL_T, REAL_P,
     lambda t, p: 100 * ((t - p).abs() / t.abs().clamp_min(EPS)).mean()),
    ("msle", losses.MeanSquaredLogarithmicError(), POS_T, POS_P,
     lambda t, p: ((torch.log1p(p.clamp_min(EPS)) - torch.log1p(t.clamp_min(EPS))) ** 2).mean()),
    ("poisson", losses.Poisson(), POS_T, POS_P,
     lambda t, p: TF.poisson_nll_loss(p, t, log_input=False, full=False, eps=EPS)),
    ("kld", losses.KLDivergence(), DIST, SOFT,
     lambda t, p: TF.kl_div(torch.log(_clip(p, EPS, 1)), t, reduction="batchmean")),
    ("cosine", losses.CosineSimilarity(), REAL_T, REAL_P,
     lambda t, p: -TF.cosine_similarity(p, t, dim=-1).mean()),
    ("cosine-axis0", losses.CosineSimilarity(axis=0), REAL_T, REAL_P,
     lambda t, p: -TF.cosine_similarity(p, t, dim=0).mean()),
    ("hinge", losses.Hinge(), SIGNS, REAL_P,
     lambda t, p: torch.clamp(1 - t * p, min=0).mean()),
    ("hinge-01-labels", losses.Hinge(), BIN, REAL_P,
     lambda t, p: torch.clamp(1 - (2 * t - 1) * p, min=0).mean()),
    ("squared_hinge", losses.SquaredHinge(), BIN, REAL_P,
     lambda t, p: (torch.clamp(1 - (2 * t - 1) * p, min=0) ** 2).mean()),
    ("categorical_hinge", losses.CategoricalHinge(), ONE_HOT, REAL_P,
     lambda t, p: torch.clamp((p * (1 - t)).max(-1).values - (p * t).sum(-1) + 1, min=0).mean()),
    ("bce-probs", losses.BinaryCrossentropy(), BIN, PROBS,
     lambda t, p: TF.binary_cross_entropy(p, t)),
    ("bce-logits", losses.BinaryCrossentropy(from_logits=True), BIN, LOGITS,
     lambda t, p: TF.binary_cross_entropy_with_logits(p, t)),
    ("bce-logits-smoothing", losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
     BIN, LOGITS, lambda t, p: TF.binary_cross_entropy_with_logits(p, t * 0.8 + 0.1)),
    ("cce-logits", losses.CategoricalCrossentropy(from_logits=True), ONE_HOT, LOGITS,
     lambda t, p: TF.cross_entropy(p, t)),
    ("cce-logits-soft", losses.CategoricalCrossentropy(from_logits=True), SOFT, LOGITS,
     lambda t, p: TF.cross_entropy(p, t)),
    ("cce-logits-smoothing", losses.CategoricalCrossentropy(from_logits=True,
                                                            label_smoothing=0.1),
     ONE_HOT, LOGITS, lambda t, p: TF.cross_entropy(p, t, label_smoothing=0.1)),
    ("cce-probs", losses.CategoricalCrossentropy(), ONE_HOT, PROBS,
     lambda t, p: -(t * torch.log(p / p.sum(-1, keepdim=True))).sum(-1).mean()),
    ("cce-axis0", losses.CategoricalCrossentropy(from_logits=True, axis=0), ONE_HOT.T.copy(),
     LOGITS.T.copy(), lambda t, p: TF.cross_entropy(p.T, t.T)),
    ("focal", losses.BinaryFocalCrossentropy(gamma=2.0, apply_class_balancing=True, alpha=0.3),
     BIN, PROBS, lambda t, p: (
         (t * 0.3 + (1 - t) * 0.7) * (1 - (t * p + (1 - t) * (1 - p))) ** 2
         * TF.binary_cross_entropy(p, t, reduction="none")).mean()),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", PARITY, ids=[c[0] for c in PARITY])
def test_value_and_gradient_match_pytorch(case, dtype, ops):
    _, loss, y_true, y_pred, reference = case
    assert_match(ours(loss, y_true, y_pred, dtype), theirs(reference, y_true, y_pred, dtype), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("ignore_class", [None, -1])
def test_sparse_categorical_matches_pytorch_cross_entropy(dtype, ignore_class, ops):
    labels = _r.integers(0, C, N)
    if ignore_class is not None:
        labels[[1, 4]] = ignore_class
    loss = losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=ignore_class)
    ignore_index = -100 if ignore_class is None else ignore_class  # -100: PyTorch's "none"

    def reference(t, p):
        return TF.cross_entropy(p, t.long(), ignore_index=ignore_index)

    assert_match(ours(loss, labels, LOGITS, dtype), theirs(reference, labels, LOGITS, dtype),
                 dtype)


def test_sparse_probabilities_equal_one_hot_categorical(ops):
    labels = np.argmax(ONE_HOT, axis=1)
    sparse = ours(losses.SparseCategoricalCrossentropy(), labels[:, None], PROBS, "float64")
    dense = ours(losses.CategoricalCrossentropy(), ONE_HOT, PROBS, "float64")
    assert_match(sparse, dense, "float64")


def test_keras_documented_values(ops):
    y_true, y_pred = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    cce = losses.CategoricalCrossentropy()
    assert float(cce(y_true, y_pred)) == pytest.approx(1.1769, abs=1e-4)
    assert float(cce(y_true, y_pred, sample_weight=np.array([0.3, 0.7]))) == pytest.approx(
        0.8136, abs=1e-4)
    assert float(losses.SparseCategoricalCrossentropy(reduction="sum")([1, 2], y_pred)) == \
        pytest.approx(2.3539, abs=1e-4)
    logits = [[-18.6, 0.51], [2.94, -12.8]]
    bce = losses.BinaryCrossentropy(from_logits=True, reduction=None)
    np.testing.assert_allclose(bce([[0, 1], [0, 0]], logits).numpy(), [0.2352, 1.4958], atol=1e-4)
    focal = losses.BinaryFocalCrossentropy(gamma=3, from_logits=True)
    assert float(focal([[0, 1], [0, 0]], logits)) == pytest.approx(0.647, abs=1e-3)
    assert float(losses.Huber()([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]])) == \
        pytest.approx(0.155, abs=1e-6)
    np.testing.assert_allclose(
        losses.cosine_similarity([[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]],
                                 [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]]).numpy(),
        [0.0, -1.0, 1.0], atol=1e-6)


# -- reductions and sample weights (Keras's definitions) ------------------------------------------
PER_SAMPLE = ((REAL_P - REAL_T) ** 2).mean(axis=-1)
W = _r.uniform(0.0, 2.0, N)


@pytest.mark.parametrize("reduction, sample_weight, expected", [
    ("sum_over_batch_size", None, PER_SAMPLE.mean()),
    ("mean", None, PER_SAMPLE.mean()),
    ("sum", None, PER_SAMPLE.sum()),
    ("none", None, PER_SAMPLE),
    (None, None, PER_SAMPLE),
    ("sum_over_batch_size", W, (PER_SAMPLE * W).sum() / N),
    ("sum_over_batch_size", W[:, None], (PER_SAMPLE * W).sum() / N),
    ("sum_over_batch_size", 0.5, PER_SAMPLE.mean() * 0.5),
    ("sum", W, (PER_SAMPLE * W).sum()),
    ("mean_with_sample_weight", W, (PER_SAMPLE * W).sum() / W.sum()),
    ("mean_with_sample_weight", None, PER_SAMPLE.mean()),
    ("none", W, PER_SAMPLE * W),
])
def test_reductions_and_sample_weights(reduction, sample_weight, expected, ops):
    loss = losses.MeanSquaredError(reduction=reduction)
    out = loss(REAL_T, Tensor(REAL_P), sample_weight=sample_weight)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)


def test_weighted_gradient_matches_pytorch(ops):
    labels = _r.integers(0, C, N)
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    got = ours(loss, labels, LOGITS, "float64", sample_weight=W)
    ref = theirs(lambda t, p: (TF.cross_entropy(p, t.long(), reduction="none") *
                               torch.tensor(W)).sum() / N, labels, LOGITS, "float64")
    assert_match(got, ref, "float64")


def test_per_timestep_losses_and_weights(ops):
    y_true, y_pred = _r.integers(0, C, (3, 5)), _r.standard_normal((3, 5, C))
    weights = _r.uniform(0, 1, (3, 5))
    loss = losses.SparseCategoricalCrossentropy(from_logits=True)
    per = losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(y_true, y_pred)
    assert per.shape == (3, 5)
    np.testing.assert_allclose(float(loss(y_true, y_pred, sample_weight=weights)),
                               (per.numpy() * weights).sum() / 15, rtol=1e-12)


def test_empty_batch_gives_zero(ops):
    assert float(losses.MeanSquaredError()(np.zeros((0, 2)), np.zeros((0, 2)))) == 0.0


def test_bad_sample_weight_shape(ops):
    with pytest.raises(ValueError, match=r"sample_weight of shape \(4,\)"):
        losses.MeanSquaredError()(REAL_T, REAL_P, sample_weight=np.ones(4))


# -- exactness and the fused logits paths ---------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_from_logits_is_exact_at_100(dtype, ops):
    z = np.array([[100.0, -100.0, 100.0, -100.0]])
    y = np.array([[1.0, 1.0, 0.0, 0.0]])
    value, grad = ours(losses.BinaryCrossentropy(from_logits=True, reduction="none"), y, z, dtype)
    tail = np.log1p(np.exp(-100.0))  # 3.7e-44: a float32 subnormal, kept
    np.testing.assert_allclose(value, [(tail + 100 + 100 + tail) / 4], rtol=1e-6)
    sigmoid = np.array([[1.0, np.exp(-100.0), 1.0, np.exp(-100.0)]])  # exactly, in float64
    np.testing.assert_allclose(grad, (sigmoid - y) / 4, rtol=1e-6, atol=2e-45)
    per_element = FL.SigmoidBinaryCrossEntropy(-1, "none")(np.asarray(z[0, :1], dtype), y[0, :1])
    assert per_element.numpy() == pytest.approx(tail, rel=1e-5)


@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_output_uses_its_logits(axis, ops):
    z = Tensor(LOGITS * 30, requires_grad=True)  # saturated: clipped probabilities would be wrong
    labels = ONE_HOT if axis == -1 else ONE_HOT.T.copy()
    z_ = z if axis == -1 else z.T
    out = losses.CategoricalCrossentropy(axis=axis)(labels, F.softmax(z_, axis=axis))
    assert isinstance(out.creator, FL.SoftmaxCrossEntropy)  # one node, the softmax bypassed
    out.backward()
    ref = Tensor(LOGITS * 30, requires_grad=True)
    ref_out = losses.CategoricalCrossentropy(from_logits=True)(ONE_HOT, ref)
    ref_out.backward()
    assert float(out) == pytest.approx(float(ref_out), rel=1e-12)
    np.testing.assert_allclose(ops.to_numpy(z.grad), ops.to_numpy(ref.grad), rtol=1e-12)


def test_softmax_over_another_axis_is_not_taken_for_logits(ops):
    probs = F.softmax(Tensor(LOGITS), axis=0)
    out = losses.CategoricalCrossentropy()(ONE_HOT, probs)
    assert not isinstance(out.creator, FL.SoftmaxCrossEntropy)
    expected = -(ONE_HOT * np.log(np.clip(probs.numpy() / probs.numpy().sum(-1, keepdims=True),
                                          EPS, 1 - EPS))).sum(-1).mean()
    assert float(out) == pytest.approx(expected, rel=1e-12)


def test_sigmoid_output_uses_its_logits(ops):
    z = Tensor(np.array([[40.0], [-40.0], [0.3]]), requires_grad=True)
    y = np.array([0.0, 1.0, 1.0])  # (N,) against (N, 1), as Keras allows
    out = losses.BinaryCrossentropy()(y, F.sigmoid(z))
    assert isinstance(out.creator, FL.SigmoidBinaryCrossEntropy)
    out.backward()
    ref = TF.binary_cross_entropy_with_logits(torch.tensor([40.0, -40.0, 0.3], dtype=torch.float64),
                                              torch.tensor(y))
    assert float(out) == pytest.approx(ref.item(), rel=1e-12)  # 40, not the clipped 16.1


def test_sparse_softmax_output_uses_its_logits(ops):
    labels = np.argmax(ONE_HOT, axis=1)
    logits = Tensor(LOGITS * 30, requires_grad=True)
    out = losses.SparseCategoricalCrossentropy()(labels, F.softmax(logits))
    assert isinstance(out.creator, FL.SparseSoftmaxCrossEntropy)
    ref = TF.cross_entropy(torch.tensor(LOGITS * 30), torch.tensor(labels))
    assert float(out) == pytest.approx(ref.item(), rel=1e-12)


@pytest.mark.parametrize("loss, fused", [
    (losses.MeanSquaredError(), FL.SquaredError), (losses.MeanAbsoluteError(), FL.AbsoluteError),
    (losses.Huber(), FL.HuberError), (losses.LogCosh(), FL.LogCoshError),
    (losses.BinaryCrossentropy(), FL.BinaryCrossEntropy),
])
def test_common_losses_are_one_node(loss, fused, ops):
    pred = Tensor(PROBS, requires_grad=True)
    out = loss(BIN, pred)
    assert isinstance(out.creator, fused) and out.creator.inputs[0] is pred


def test_functional_faces_are_per_sample(ops):
    for name in losses.__all__:
        fn = getattr(losses, name)
        if callable(fn) and hasattr(fn, "loss_class"):
            y_true = np.argmax(ONE_HOT, 1) if name.startswith("sparse") else ONE_HOT
            per = fn(y_true, Tensor(PROBS))
            whole = fn.loss_class(reduction="none")(y_true, Tensor(PROBS))
            assert per.shape == (N,), name
            np.testing.assert_allclose(per.numpy(), whole.numpy(), rtol=1e-12, err_msg=name)


# -- registry, config and boundary checks ---------------------------------------------------------
@pytest.mark.parametrize("name, cls", [
    ("mse", losses.MeanSquaredError), ("MAE", losses.MeanAbsoluteError),
    ("mape", losses.MeanAbsolutePercentageError), ("msle", losses.MeanSquaredLogarithmicError),
    ("huber", losses.Huber), ("logcosh", losses.LogCosh), ("log_cosh", losses.LogCosh),
    ("kld", losses.KLDivergence), ("kullback_leibler_divergence", losses.KLDivergence),
    ("cosine_proximity", losses.CosineSimilarity), ("binary_crossentropy",
                                                    losses.BinaryCrossentropy),
    ("sparse_categorical_crossentropy", losses.SparseCategoricalCrossentropy),
    ("CategoricalCrossentropy", losses.CategoricalCrossentropy), ("poisson", losses.Poisson),
    ("squared_hinge", losses.SquaredHinge), ("categorical_hinge", losses.CategoricalHinge),
])
def test_get_by_name(name, cls):
    assert type(losses.get(name)) is cls


def test_get_rules():
    mse = losses.MeanSquaredError()
    assert losses.get(mse) is mse and losses.get(None) is None
    assert type(losses.get(losses.Huber)) is losses.Huber
    assert type(losses.get(losses.categorical_crossentropy)) is losses.CategoricalCrossentropy
    got = losses.get({"class_name": "BinaryCrossentropy", "config": {"from_logits": True}})
    assert got.from_logits is True
    custom = losses.get(lambda t, p: F.mean(F.abs(p - t) ** 3, axis=-1))
    assert isinstance(custom, losses.LossFunctionWrapper)
    assert float(custom([[0.0, 0.0]], Tensor([[1.0, 2.0]]))) == pytest.approx(4.5)
    with pytest.raises(TypeError, match="cannot hold"):
        custom.get_config()
    with pytest.raises(TypeError, match="Could not interpret loss identifier 42"):
        losses.get(42)


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        losses.get("mean_sqared_error")
    message = str(info.value)
    assert "Unknown loss 'mean_sqared_error'" in message and "'mean_squared_error'" in message
    assert "binary_crossentropy" in message and "cosine_proximity" in message


@pytest.mark.parametrize("loss", [
    losses.MeanSquaredError(reduction="sum", name="m"), losses.Huber(delta=2.5),
    losses.CosineSimilarity(axis=0), losses.BinaryCrossentropy(True, 0.1, axis=1),
    losses.BinaryFocalCrossentropy(True, alpha=0.4, gamma=1.0),
    losses.CategoricalCrossentropy(label_smoothing=0.2),
    losses.SparseCategoricalCrossentropy(from_logits=True, ignore_class=255),
    losses.KLDivergence(reduction="none"), losses.Hinge(),
])
def test_config_round_trip(loss):
    config = losses.serialize(loss)
    assert config["class_name"] == type(loss).__name__
    again = losses.deserialize(config)
    assert type(again) is type(loss) and again.get_config() == loss.get_config()


def test_label_kinds_and_from_logits():
    kinds = {cls: cls.label_kind for cls in (
        losses.MeanSquaredError, losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
        losses.SparseCategoricalCrossentropy, losses.Hinge, losses.CategoricalHinge)}
    assert list(kinds.values()) == ["regression", "binary", "categorical", "sparse_categorical",
                                    "binary", "categorical"]
    assert all(cls.label_kind in losses.LABEL_KINDS for cls in (
        losses.CosineSimilarity, losses.Poisson, losses.KLDivergence, losses.Loss))
    assert losses.get("bce").from_logits is False
    assert losses.SparseCategoricalCrossentropy(from_logits=True).from_logits is True


def test_shape_checks(ops):
    with pytest.raises(ValueError, match=r"y_true of shape \(6, 3\) does not match y_pred of "
                                         r"shape \(6, 4\)"):
        losses.MeanSquaredError()(REAL_T[:, :3], REAL_P)
    with pytest.raises(ValueError, match="SparseCategoricalCrossentropy"):
        losses.CategoricalCrossentropy()(np.argmax(ONE_HOT, 1), PROBS)
    with pytest.raises(ValueError, match="looks one-hot: use CategoricalCrossentropy"):
        losses.SparseCategoricalCrossentropy()(ONE_HOT, PROBS)
    with pytest.raises(TypeError, match="integer class indices"):
        losses.SparseCategoricalCrossentropy()(np.array(["a"] * N), PROBS)
    column = losses.MeanSquaredError(reduction="none")(REAL_T[:, 0], REAL_P[:, :1])
    assert column.shape == (N,)
    np.testing.assert_allclose(column.numpy(), (REAL_T[:, 0] - REAL_P[:, 0]) ** 2)


@pytest.mark.parametrize("make, match", [
    (lambda: losses.MeanSquaredError(reduction="summ"), r"MeanSquaredError: reduction must be one "
                                                        r"of .*, got reduction='summ'. Did you "
                                                        r"mean 'sum'\?"),
    (lambda: losses.BinaryCrossentropy(label_smoothing=1.5),
     r"^BinaryCrossentropy: label_smoothing must be in \[0.0, 1.0\], got label_smoothing=1.5$"),
    (lambda: losses.CategoricalCrossentropy(from_logits=1),
     "CategoricalCrossentropy: from_logits must be True or False, got from_logits=1"),
    (lambda: losses.CategoricalCrossentropy(axis=None),
     r"CategoricalCrossentropy: axis must be an integer \(an axis\), got axis=None"),
    (lambda: losses.SparseCategoricalCrossentropy(ignore_class=1.0),
     "SparseCategoricalCrossentropy: ignore_class must be an integer or None, got "
     "ignore_class=1.0"),
    (lambda: losses.Huber(delta=0), r"^Huber: delta must be > 0.0, got delta=0$"),
    (lambda: losses.BinaryFocalCrossentropy(gamma=-1),
     "BinaryFocalCrossentropy: gamma must be >= 0.0, got gamma=-1"),
    (lambda: losses.BinaryFocalCrossentropy(alpha=2), r"alpha must be in \[0.0, 1.0\], got alpha=2"),
    (lambda: losses.CosineSimilarity(axis="-1"), "CosineSimilarity: axis must be an integer"),
    (lambda: F.squared_error(np.ones(2), np.ones(2), reduction="avg"),
     "SquaredError: reduction must be one of"),
    (lambda: F.squared_error(np.ones((2, 3)), np.ones((3, 2))), r"shape \(2, 3\)"),
    (lambda: F.sparse_softmax_cross_entropy(np.ones((2, 3)), np.array([[0, 1]])),
     r"expected labels of shape \(2,\)"),
])
def test_bad_arguments_name_the_value(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()


def test_from_logits_on_a_sigmoid_output_warns():
    probs = F.sigmoid(Tensor(LOGITS))
    with pytest.warns(UserWarning, match="from_logits=True, but y_pred is the output of a sigmoid"):
        losses.BinaryCrossentropy(from_logits=True)(BIN, probs)
