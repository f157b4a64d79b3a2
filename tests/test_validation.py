"""neurona.validation: what each check accepts, what it refuses, and the one message shape."""

import math

import numpy as np
import pytest

from neurona import validation as V


class CustomError(Exception):
    pass


# -- real ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [0, 1, 0.5, np.float32(0.25), np.int64(1)])
def test_real_accepts_numbers_in_range_and_returns_a_float(value):
    out = V.real("Owner", "x", value, 0.0, 1.0)
    assert type(out) is float and out == float(value)


@pytest.mark.parametrize("value", [True, "0.5", None, [0.5], np.array(0.5), complex(1, 0)])
def test_real_refuses_what_is_not_a_number(value):
    with pytest.raises(ValueError, match=r"^Owner: x must be a finite number, got x="):
        V.real("Owner", "x", value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float64("nan")])
def test_real_refuses_nan_and_infinities_by_default(value):
    with pytest.raises(ValueError, match="x must be a finite number"):
        V.real("Owner", "x", value)


def test_real_with_finite_false_accepts_infinities_but_never_nan():
    assert V.real("ReLU", "max_value", math.inf, 0.0, finite=False) == math.inf
    with pytest.raises(ValueError, match=r"max_value must be a number \(not NaN\), got "
                                         r"max_value=nan"):
        V.real("ReLU", "max_value", math.nan, finite=False)


@pytest.mark.parametrize("value, kwargs, bounds", [
    (-0.1, {}, r"\[0.0, 1.0\]"),
    (1.0, {"high_open": True}, r"\[0.0, 1.0\)"),
    (0.0, {"low_open": True}, r"\(0.0, 1.0\]"),
])
def test_real_range_message_shows_which_ends_are_open(value, kwargs, bounds):
    with pytest.raises(ValueError, match=rf"^Adam: beta must be in {bounds}, got beta={value}$"):
        V.real("Adam", "beta", value, 0.0, 1.0, **kwargs)


@pytest.mark.parametrize("value, kwargs, bound", [
    (-1, {"low": 0}, ">= 0"), (0, {"low": 0, "low_open": True}, "> 0"),
    (3, {"high": 2}, "<= 2"), (2, {"high": 2, "high_open": True}, "< 2"),
])
def test_real_half_bounded_ranges_read_as_one_comparison(value, kwargs, bound):
    with pytest.raises(ValueError, match=rf"^SGD: lr must be {bound}, got lr={value}$"):
        V.real("SGD", "lr", value, **kwargs)


def test_real_open_bounds_accept_values_just_inside():
    assert V.real("o", "a", 1e-12, 0.0, 1.0, low_open=True, high_open=True) == 1e-12
    assert V.real("o", "a", 1.0 - 1e-12, 0.0, 1.0, low_open=True, high_open=True) < 1.0


def test_real_allow_none_error_type_error_and_fix():
    assert V.real("o", "a", None, allow_none=True) is None
    with pytest.raises(CustomError, match=r"^o: a must be >= 0, got a=-2; use a >= 0$"):
        V.real("o", "a", -2, low=0, fix="use a >= 0", error=CustomError)
    with pytest.raises(TypeError, match="a must be a finite number or None, got a='x'"):
        V.real("o", "a", "x", allow_none=True, type_error=TypeError)
    for bad in (-1.0, math.nan, math.inf):  # type_error is for the type: bad values keep error
        with pytest.raises(ValueError):
            V.real("o", "a", bad, low=0, type_error=TypeError)


# -- integer ------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", [1, np.int32(5), np.uint8(7)])
def test_integer_accepts_python_and_numpy_integers_and_returns_an_int(value):
    out = V.integer("Dense", "units", value, low=1)
    assert type(out) is int and out == int(value)


@pytest.mark.parametrize("value", [True, False, 2.0, "3", None, np.float64(2)])
def test_integer_refuses_bools_floats_strings(value):
    with pytest.raises(ValueError, match=r"^Dense: units must be an integer >= 1, got units="):
        V.integer("Dense", "units", value, low=1)


@pytest.mark.parametrize("low, high, value, bound", [
    (1, None, 0, ">= 1"), (None, 5, 6, "<= 5"), (0, 3, 4, r"in \[0, 3\]"),
])
def test_integer_bounds_in_the_message(low, high, value, bound):
    with pytest.raises(ValueError, match=rf"must be an integer {bound}, got k={value}"):
        V.integer("o", "k", value, low, high)
    assert V.integer("o", "k", low if low is not None else high, low, high) in (low, high)


def test_integer_allow_none_and_error_classes():
    assert V.integer("o", "k", None, allow_none=True) is None
    with pytest.raises(TypeError, match="k must be an integer or None, got k=1.5"):
        V.integer("o", "k", 1.5, allow_none=True, type_error=TypeError)
    with pytest.raises(CustomError, match="; use k=1"):
        V.integer("o", "k", 0, low=1, fix="use k=1", error=CustomError)


# -- boolean, seed, axis, shape -----------------------------------------------------------------
def test_boolean_accepts_python_and_numpy_bools_only():
    assert V.boolean("o", "flag", True) is True
    out = V.boolean("o", "flag", np.bool_(False))
    assert out is False
    for value in (0, 1, "True", None):
        with pytest.raises(TypeError, match=rf"^o: flag must be True or False, got "
                                            rf"flag={value!r}$"):
            V.boolean("o", "flag", value)


def test_seed_is_a_non_negative_integer_or_none():
    assert V.seed("Dropout", "seed", np.int64(3)) == 3
    assert V.seed("Dropout", "seed", None) is None
    with pytest.raises(ValueError, match=r"^Dropout: seed must be an integer >= 0 or None, got "
                                         r"seed=-1; pass None"):
        V.seed("Dropout", "seed", -1)
    with pytest.raises(ValueError, match=r"seed must be an integer >= 0, got seed=None$"):
        V.seed("set_random_seed", "seed", None, allow_none=False)
    with pytest.raises(ValueError, match="seed=1.0"):
        V.seed("Dropout", "seed", 1.0)


def test_axis_without_and_with_ndim():
    assert V.axis("softmax", "axis", -7) == -7
    assert [V.axis("f", "axis", a, ndim=3) for a in (-3, -1, 0, 2)] == [0, 2, 0, 2]
    with pytest.raises(ValueError, match=r"^f: axis must be an axis of a 3-dimensional input, "
                                         r"in \[-3, 2\], got axis=3; -1 is the last axis$"):
        V.axis("f", "axis", 3, ndim=3)
    with pytest.raises(TypeError, match=r"f: axis must be an integer \(an axis\), got "
                                        r"axis=1.0"):
        V.axis("f", "axis", 1.0, type_error=TypeError)


def test_shape_entries_bounds_and_unknown_sizes():
    assert V.shape("o", "shape", 3) == (3,)
    assert V.shape("o", "shape", [2, np.int64(4)]) == (2, 4)
    assert V.shape("o", "shape", (0, 2), low=0) == (0, 2)
    assert V.shape("o", "shape", (None, 5), allow_unknown=True) == (None, 5)
    for bad in ((None, 5), (0, 2), "12", 2.0, (2, True), None):
        with pytest.raises(ValueError, match=r"^o: shape must be a tuple of integers >= 1, got "
                                             r"shape="):
            V.shape("o", "shape", bad)
    with pytest.raises(ValueError, match=r"or None \(an unknown size\), got shape=\(-1,\)"):
        V.shape("o", "shape", (-1,), allow_unknown=True)


def test_predicates_agree_with_the_checks():
    for value in (0, 1.5, np.float16(1), np.int8(2), math.inf, math.nan):
        assert V.is_real(value)
    for value in (True, np.bool_(True), "1", None, [1]):
        assert not V.is_real(value)
    assert V.is_integer(np.int16(2)) and not V.is_integer(2.0) and not V.is_integer(True)


# -- choice and did you mean --------------------------------------------------------------------
def test_choice_lists_the_choices_and_suggests_the_closest():
    assert V.choice("Conv2D", "padding", "same", ("valid", "same")) == "same"
    with pytest.raises(ValueError, match=r"^Conv2D: padding must be one of \['valid', 'same'\], "
                                         r"got padding='sme'. Did you mean 'same'\?$"):
        V.choice("Conv2D", "padding", "sme", ("valid", "same"))


@pytest.mark.parametrize("value", [["same"], {"a": 1}, np.array([1, 2])])
def test_choice_refuses_unhashable_and_array_values_with_its_own_error(value):
    with pytest.raises(ValueError, match="padding must be one of"):
        V.choice("Conv2D", "padding", value, ("valid", "same"))


def test_did_you_mean_and_closest():
    assert V.did_you_mean("val_los", ["loss", "val_loss"]) == " Did you mean 'val_loss'?"
    assert V.did_you_mean("zzz", ["loss", "val_loss"]) == ""
    assert sorted(V.closest("lose", ["loss", "lost", "x"], n=2)) == ["loss", "lost"]
