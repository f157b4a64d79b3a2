"""Float64 gradient checks for the differentiable ops whose own test files check only their
values (the others are checked next to their values)."""

import numpy as np
import pytest

from neurona import ops
from neurona.autograd import gradcheck

_r = np.random.default_rng(18)
A = _r.standard_normal((3, 4))
B = _r.standard_normal((3, 4))
POS = _r.uniform(0.5, 2.0, (3, 4))
WITH_NAN = np.where(np.eye(3, 4, dtype=bool), np.nan, 0.0)
IMAGES = _r.standard_normal((1, 4, 4, 3))

CASES = {
    "nanmin": (lambda x: ops.nanmin(x + WITH_NAN, axis=1), [A]),
    "nanstd": (lambda x: ops.nanstd(x + WITH_NAN, axis=0), [A]),
    "nancumsum": (lambda x: ops.nancumsum(x + WITH_NAN, axis=1), [A]),
    "nancumprod": (lambda x: ops.nancumprod(x + WITH_NAN, axis=1), [POS]),
    "percentile": (lambda x: ops.percentile(x, [20, 70], axis=1), [A]),
    "hstack": (lambda x, y: ops.hstack([x, y]), [A, B]),
    "vstack": (lambda x, y: ops.vstack([x, y[0]]), [A, B]),
    "dstack": (lambda x, y: ops.dstack([x, y]), [A, B]),
    "append": (lambda x, y: ops.append(x, y, axis=0), [A, B]),
    "array_split": (lambda x: ops.array_split(x, 3, axis=1)[1], [A]),
    "slice": (lambda x: ops.slice(x, (1, 0), (2, -1)), [A]),
    "unstack": (lambda x: ops.unstack(x, axis=1)[2] * ops.unstack(x)[0][:3], [A]),
    "get_item": (lambda x: ops.get_item(x, (slice(None), [0, 0, 3])), [A]),
    "cast": (lambda x: ops.cast(x, "float64") * 2, [A]),
    "saturate_cast": (lambda x: ops.saturate_cast(x, "float64"), [A]),
    "convert_to_tensor": (lambda x, y: ops.convert_to_tensor([x, y]), [A, B]),
    "separable_conv": (lambda x, d, p: ops.separable_conv(x, d, p, padding="same"),
                       [IMAGES, _r.standard_normal((2, 2, 3, 1)),
                        _r.standard_normal((1, 1, 3, 2))]),
    "depth_to_space": (lambda x: ops.depth_to_space(x, 2), [_r.standard_normal((1, 2, 2, 8))]),
    "space_to_depth": (lambda x: ops.space_to_depth(x, 2), [IMAGES]),
    "rgb_to_grayscale": (ops.image.rgb_to_grayscale, [IMAGES]),
    "resize-crop": (lambda x: ops.image.resize(x, (2, 3), crop_to_aspect_ratio=True), [IMAGES]),
    "resize-pad": (lambda x: ops.image.resize(x, (2, 3), pad_to_aspect_ratio=True), [IMAGES]),
    "fmod-python-number": (lambda x: ops.fmod(x, 0.7), [A]),
    "max-initial": (lambda x: ops.max(x, axis=1, initial=0.5), [A]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient(name):
    fn, inputs = CASES[name]
    assert gradcheck(fn, inputs)
