"""Bad input gets a clear error naming the argument and the fix, before any training step."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers


def _model(units=1, activation=None, loss="mse", input_dim=4):
    model = keras.Sequential([layers.Dense(units, activation=activation, input_shape=[input_dim])])
    model.compile(optimizer="sgd", loss=loss)
    return model


def _untouched(model, action):
    before = model.get_weights()
    action()
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_feature_count_mismatch_names_both_shapes(rng):
    model = _model()
    with pytest.raises(ValueError, match=r"x has samples of shape \(3,\) but the model expects \(4,\)"):
        model.fit(rng.standard_normal((10, 3)), np.zeros(10), verbose=0)


def test_x_y_length_mismatch(rng):
    with pytest.raises(ValueError, match="x has 10, y has 9"):
        _model().fit(rng.standard_normal((10, 4)), np.zeros(9), verbose=0)


@pytest.mark.parametrize("bad, kind", [(np.nan, "NaN"), (np.inf, "inf")])
def test_non_finite_inputs_are_rejected_with_their_position(rng, bad, kind):
    x = rng.standard_normal((10, 4))
    x[7, 2] = bad
    model = _model()
    with pytest.raises(ValueError, match=f"x contains 1 non-finite value\\(s\\): {kind} at row 7, column 2"):
        _untouched(model, lambda: model.fit(x, np.zeros(10), verbose=0))


def test_nan_in_targets(rng):
    y = np.zeros(10)
    y[3] = np.nan
    with pytest.raises(ValueError, match="y contains 1 non-finite"):
        _model().fit(rng.standard_normal((10, 4)), y, verbose=0)


def test_sparse_labels_out_of_range(rng):
    model = _model(units=3, activation="softmax", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"y spans \[0, 3\] but the output has 3 units.*\[0, 2\]"):
        model.fit(rng.standard_normal((10, 4)), np.arange(10) % 4, verbose=0)


def test_softmax_single_unit_with_binary_crossentropy(rng):
    model = _model(units=1, activation="softmax", loss="binary_crossentropy")
    with pytest.raises(ValueError, match="1-unit softmax output always predicts 1.0.*sigmoid"):
        model.fit(rng.standard_normal((10, 4)), np.arange(10) % 2, verbose=0)


def test_binary_labels_outside_zero_one(rng):
    model = _model(units=1, activation="sigmoid", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"labels in \[0, 1\].*-1/1"):
        model.fit(rng.standard_normal((10, 4)), np.where(np.arange(10) % 2, 1, -1), verbose=0)


def test_one_hot_labels_with_sparse_loss(rng):
    model = _model(units=3, activation="softmax", loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="for one-hot labels use categorical_crossentropy"):
        model.fit(rng.standard_normal((9, 4)), keras.utils.to_categorical(np.arange(9) % 3), verbose=0)


def test_integer_labels_with_categorical_loss(rng):
    model = _model(units=3, activation="softmax", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match="to_categorical"):
        model.fit(rng.standard_normal((9, 4)), np.arange(9) % 3, verbose=0)


def test_unknown_names_list_the_choices():
    with pytest.raises(ValueError, match="Unknown activation 'rleu'. Did you mean 'relu'"):
        layers.Dense(3, activation="rleu")
    model = keras.Sequential([layers.Dense(1, input_shape=[2])])
    with pytest.raises(ValueError, match="Unknown optimizer 'adma'.*'adam'"):
        model.compile(optimizer="adma", loss="mse")
    with pytest.raises(ValueError, match="Unknown loss 'mse2'"):
        model.compile(optimizer="adam", loss="mse2")
    with pytest.raises(ValueError, match="Unknown initializer 'he_nromal'.*'he_normal'"):
        layers.Dense(2, kernel_initializer="he_nromal", input_shape=[2])


def test_text_columns_are_rejected(rng):
    x = np.array([["a", "b"], ["c", "d"]])
    with pytest.raises(ValueError, match="non-numeric values.*encode text columns"):
        _model(input_dim=2).fit(x, np.zeros(2), verbose=0)


def test_empty_data_and_bad_arguments(rng):
    model = _model()
    with pytest.raises(ValueError, match="x is empty"):
        model.fit(np.zeros((0, 4)), np.zeros(0), verbose=0)
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1, got batch_size=0"):
        model.fit(np.zeros((4, 4)), np.zeros(4), batch_size=0, verbose=0)
    with pytest.raises(ValueError, match=r"batch_size must be an integer >= 1, got batch_size=8.0"):
        model.predict(np.zeros((4, 4)), batch_size=8.0)
    with pytest.raises(ValueError, match=r"validation_split must be in \[0.0, 1.0\), got "
                                         r"validation_split=1.5"):
        model.fit(np.zeros((4, 4)), np.zeros(4), validation_split=1.5, verbose=0)
    with pytest.raises(ValueError, match="validation_split must be a finite number, got "
                                         "validation_split='0.2'"):
        model.fit(np.zeros((4, 4)), np.zeros(4), validation_split="0.2", verbose=0)
    with pytest.raises(ValueError, match="Dense: units must be an integer >= 1, got units=0"):
        layers.Dense(0)
    with pytest.raises(ValueError, match="get_layer: index must be an integer, got index='0'"):
        model.get_layer(index="0")


def test_fit_before_compile():
    model = keras.Sequential([layers.Dense(1, input_shape=[2])])
    with pytest.raises(RuntimeError, match="call model.compile"):
        model.fit(np.zeros((2, 2)), np.zeros(2), verbose=0)


def test_eager_call_with_wrong_feature_count():
    layer = layers.Dense(2)
    layer(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="axis -1 must have size 3, got shape \\(1, 5\\)"):
        layer(np.zeros((1, 5)))


# -- issue 18 (items 11-13): every argument checked before the first step ---------------------
def _classifier():
    return _model(units=3, activation="softmax", loss="sparse_categorical_crossentropy")


_X, _Y3 = np.linspace(-1, 1, 48).reshape(12, 4), np.arange(12) % 3


@pytest.mark.parametrize("class_weight, message", [
    ({0: -1.0, 1: 1.0}, r"class_weight weights must be finite numbers >= 0, got "
                        r"class_weight\[0\]=-1.0"),
    ({0: float("nan")}, r"got class_weight\[0\]=nan"),
    ({0: "2"}, r"got class_weight\[0\]='2'"),
    ({0.5: 1.0}, r"keys must be class indices \(integers >= 0\), got the key 0.5; the classes "
                 r"are 0 to 2"),
    ({-1: 1.0}, r"got the key -1"),
    ({10 ** 12: 1.0}, r"names class 1000000000000, which the model does not predict; the "
                      r"classes are 0 to 2"),
    ({3: 1.0}, r"names class 3, which the model does not predict"),
    ([1.0, 2.0, 3.0], r"class_weight must be a dict \{class: weight\} or 'balanced', got a list"),
    ("balance", r"got class_weight='balance'"),
])
def test_bad_class_weights_fail_before_training(class_weight, message):
    model = _classifier()
    with pytest.raises(ValueError, match=message):
        _untouched(model, lambda: model.fit(_X, _Y3, class_weight=class_weight, verbose=0))


def test_class_weight_with_a_regression_loss_is_refused():
    model = _model()
    with pytest.raises(ValueError, match="the loss 'mse' is a regression loss.*pass "
                                         "sample_weight"):
        model.fit(_X, np.zeros(12), class_weight={0: 2.0}, verbose=0)


def test_class_weights_weigh_rows_and_integral_float_keys_name_classes():
    from neurona.models.targets import class_weight_to_sample_weight
    model = _classifier()
    model.fit(_X, _Y3, epochs=1, verbose=0)  # resolves the compiled setup per output
    weights = class_weight_to_sample_weight({0: 3.0, 2.0: 0.5}, _Y3, model._compiled.outputs[0])
    np.testing.assert_array_equal(weights, np.where(_Y3 == 0, 3.0, np.where(_Y3 == 2, 0.5, 1.0)))


@pytest.mark.parametrize("kwargs, message", [
    (dict(steps_per_epoch=0), "fit: steps_per_epoch must be an integer >= 1 or None, got "
                              "steps_per_epoch=0"),
    (dict(steps_per_epoch=-2), "got steps_per_epoch=-2"),
    (dict(validation_data=(_X, np.zeros(12)), validation_steps=0), "got validation_steps=0"),
    (dict(validation_data=(_X, np.zeros(12)), validation_freq=0),
     "fit: validation_freq must be an integer >= 1, got validation_freq=0"),
    (dict(validation_data=(_X, np.zeros(12)), validation_freq=-1), "got validation_freq=-1"),
    (dict(seed=-1), "fit: seed must be an integer >= 0 or None, got seed=-1"),
    (dict(seed="1"), "got seed='1'"),
    (dict(verbose=5), r"fit: verbose must be 0 \(silent\), 1 \(progress bar\), 2 "),
    (dict(verbose="loud"), "got verbose='loud'"),
    (dict(callbacks=[1]), r"fit: callbacks\[0\] is 1, which is not a callback"),
    (dict(callbacks=[print]), "which is not a callback"),
    (dict(x=[_X, _X]), r"x: the model has 1 input\(s\) .* but 2 array\(s\) were given"),
    (dict(x={"nope": _X}), "x: 'nope' names no input of the model"),
])
def test_bad_fit_arguments_fail_before_training(kwargs, message):
    model = _model()
    kwargs = {"x": _X, "y": np.zeros(12), "verbose": 0, **kwargs}
    with pytest.raises((ValueError, TypeError), match=message):
        _untouched(model, lambda: model.fit(**kwargs))


def test_bad_evaluate_and_predict_arguments():
    model = _model()
    with pytest.raises(ValueError, match="evaluate: steps must be an integer >= 1 or None, got "
                                         "steps=0"):
        model.evaluate(_X, np.zeros(12), steps=0, verbose=0)
    with pytest.raises(ValueError, match="predict: steps must be an integer >= 1 or None, got "
                                         "steps=-1"):
        model.predict(_X, steps=-1, verbose=0)
    with pytest.raises(ValueError, match=r"predict: x is empty \(0 rows\)"):
        model.predict(_X[:0], verbose=0)


@pytest.mark.parametrize("where", ["x", "y", "sample_weight"])
def test_complex_data_is_refused(where):
    data = {"x": _X, "y": np.zeros(12), "sample_weight": np.ones(12)}
    data[where] = data[where] + 1j
    with pytest.raises(ValueError, match=f"{where} holds complex numbers.*np.real"):
        _model().fit(**data, verbose=0)


def test_a_finite_value_beyond_float32_is_not_called_inf():
    x = _X.copy()
    x[5, 2] = 1e39
    with pytest.raises(ValueError, match=r"x holds 1 finite value\(s\) beyond the range of "
                                         r"float32.*1e\+39 at row 5, column 2"):
        _model().fit(x, np.zeros(12), verbose=0)
    with pytest.raises(ValueError, match=r"y holds 12 finite value\(s\) beyond the range"):
        _model().fit(_X, np.full(12, -1e39), verbose=0)
