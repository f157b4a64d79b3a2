"""Segment reductions, top-k, framing and logdet against Keras 3 / NumPy, with gradients."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

from .conftest import assert_same

_r = np.random.default_rng(10)
DATA = _r.permutation(12).reshape(6, 2) + _r.uniform(0.1, 0.3, (6, 2))
IDS = np.array([0, 2, 0, 1, 2, 2])


@pytest.mark.parametrize("name", ["segment_sum", "segment_max", "segment_min", "segment_prod"])
@pytest.mark.parametrize("num_segments", [3, 4])
def test_segments_match_keras(keras, name, num_segments):
    data = DATA.astype(np.float32)
    ours = getattr(ops, name)(data, IDS, num_segments=num_segments)
    theirs = getattr(keras.ops, name)(data, IDS, num_segments=num_segments)
    assert_same(ours, np.asarray(theirs), rtol=1e-6)
    assert gradcheck(lambda d: getattr(ops, name)(d, IDS, num_segments=3), [DATA])


def test_segments_default_count_and_dropped_ids():
    assert_same(ops.segment_sum(np.arange(4.0), [0, 0, 3, 1]), np.array([1.0, 3.0, 0.0, 2.0]))
    # ids outside [0, num_segments) are dropped, as JAX drops them
    assert_same(ops.segment_sum(np.arange(4.0), [0, 5, -1, 1], num_segments=2),
                np.array([0.0, 3.0]))
    with pytest.raises(ValueError, match="one per row"):
        ops.segment_sum(np.arange(4.0), [0, 1])


def test_top_k_matches_keras(keras):
    x = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 4.0, 6.0, 0.0]], np.float32)
    for k in (1, 2, 4):
        assert_same(ops.top_k(x, k), keras.ops.top_k(x, k))
    ints = np.array([[1, 3, 2]], np.int32)
    assert_same(ops.top_k(ints, 2), keras.ops.top_k(ints, 2))
    assert gradcheck(lambda t: ops.top_k(t, 2)[0], [DATA.T.copy()])
    with pytest.raises(ValueError, match="k"):
        ops.top_k(x, 5)


def test_in_top_k_matches_keras(keras):
    p = np.array([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4], [np.nan, 0.2, 0.1]], np.float32)
    t = np.array([2, 0, 0])
    for k in (1, 2):
        assert_same(ops.in_top_k(t, p, k), keras.ops.in_top_k(t, p, k))


def test_extract_sequences_matches_keras(keras):
    x = np.arange(20.0, dtype=np.float32).reshape(2, 10)
    for length, stride in ((3, 2), (4, 4), (10, 1)):
        assert_same(ops.extract_sequences(x, length, stride),
                    keras.ops.extract_sequences(x, length, stride))
    assert gradcheck(lambda t: ops.extract_sequences(t, 3, 2), [DATA.T.copy()])


def test_logdet():
    a = _r.standard_normal((3, 3))
    spd = a @ a.T + np.eye(3)
    assert_same(ops.logdet(spd), np.linalg.slogdet(spd)[1], rtol=1e-12)
    assert gradcheck(ops.logdet, [spd])
