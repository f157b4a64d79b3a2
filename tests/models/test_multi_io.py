"""Models with several inputs and outputs, as Keras 3 runs them: lists and dicts of inputs,
targets, losses, loss weights, metrics and sample weights; Keras's log names and predict
structures (compared with Keras 3 itself where it installs); bad combinations fail first."""

import numpy as np
import pytest

import neurona as keras
from neurona import layers

from ..helpers import KERAS_WARNINGS, keras3 as _keras

pytestmark = pytest.mark.filterwarnings(KERAS_WARNINGS)


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    x = {"title": rng.standard_normal((n, 4)).astype("float32"),
         "body": rng.standard_normal((n, 3)).astype("float32")}
    y = {"priority": (x["title"][:, :1] * 2 + 0.5).astype("float32"),
         "department": (x["body"][:, 0] > 0).astype("int64") + (x["body"][:, 1] > 0)}
    return x, y


def _ticket_model(lib):
    title, body = lib.Input((4,), name="title"), lib.Input((3,), name="body")
    hidden = lib.layers.Dense(8, activation="relu", name="hidden")(
        lib.layers.Concatenate(name="joined")([title, body]))
    priority = lib.layers.Dense(1, name="priority")(hidden)
    department = lib.layers.Dense(3, activation="softmax", name="department")(hidden)
    model = lib.Model(inputs={"title": title, "body": body},
                      outputs={"priority": priority, "department": department})
    model.compile(optimizer="adam",
                  loss={"priority": "mse", "department": "sparse_categorical_crossentropy"},
                  loss_weights={"priority": 1.0, "department": 0.2},
                  metrics={"priority": ["mae"], "department": ["accuracy"]})
    return model


def test_dict_inputs_outputs_losses_and_weights_log_as_keras_names_them():
    x, y = _data()
    model = _ticket_model(keras)
    history = model.fit(x, y, epochs=2, batch_size=8, validation_split=0.25, verbose=0)
    expected = ["department_accuracy", "department_loss", "loss", "priority_loss",
                "priority_mae", "val_department_accuracy", "val_department_loss", "val_loss",
                "val_priority_loss", "val_priority_mae"]
    assert list(history.history) == expected
    keras3 = _keras()
    reference = _ticket_model(keras3).fit(x, y, epochs=1, batch_size=8, validation_split=0.25,
                                          verbose=0)
    assert list(reference.history) == expected
    # the total is the weighted sum of the parts
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(logs["priority_loss"] + 0.2 * logs["department_loss"],
                                         rel=1e-5)
    values = model.evaluate(x, y, verbose=0)
    assert values == pytest.approx([logs[n] for n in model.metrics_names])
    assert model.metrics_names == ["loss", "priority_loss", "department_loss",
                                   "department_accuracy", "priority_mae"]  # Keras 3's order


def test_predict_returns_the_output_structure():
    x, _ = _data()
    model = _ticket_model(keras)
    out = model.predict(x, verbose=0)
    assert isinstance(out, dict) and set(out) == {"priority", "department"}
    assert out["priority"].shape == (40, 1) and out["department"].shape == (40, 3)
    inputs = keras.Input((4,))
    listed = keras.Model(inputs, [layers.Dense(1)(inputs), layers.Dense(2)(inputs)])
    out = listed.predict(x["title"], verbose=0)
    assert isinstance(out, list) and [o.shape for o in out] == [(40, 1), (40, 2)]
    # outputs=[y] is y, as Keras 3 unpacks a one-element list
    single = keras.Model(inputs, [layers.Dense(1)(inputs)])
    single.compile(optimizer="sgd", loss="mse")
    assert isinstance(single.predict(x["title"], verbose=0), np.ndarray)
    history = single.fit(x["title"], np.ones((40, 1)), epochs=1, verbose=0)
    assert list(history.history) == ["loss"]


def test_list_inputs_and_outputs_with_per_output_metrics_match_keras_names():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((32, 4)), rng.standard_normal((32, 3))
    targets = [rng.standard_normal((32, 1)), rng.standard_normal((32, 2))]

    def build(lib):
        ia, ib = lib.Input((4,)), lib.Input((3,))
        hidden = lib.layers.Concatenate()([ia, ib])
        model = lib.Model([ia, ib], [lib.layers.Dense(1, name="o1")(hidden),
                                     lib.layers.Dense(2, name="o2")(hidden)])
        model.compile(optimizer="adam", loss=["mse", "mae"], metrics=[["mae"], ["mse"]])
        return model

    ours = build(keras).fit([a, b], targets, epochs=1, verbose=0).history
    theirs = build(_keras()).fit([a, b], targets, epochs=1, verbose=0).history
    assert list(ours) == sorted(theirs) == ["loss", "o1_loss", "o1_mae", "o2_loss", "o2_mse"]


def test_the_same_weights_give_keras_losses_for_several_outputs():
    keras3 = _keras()
    x, y = _data()
    ours, theirs = _ticket_model(keras), _ticket_model(keras3)
    for layer in ours.layers:
        if layer.weights:
            layer.set_weights(theirs.get_layer(layer.name).get_weights())
    ours_logs = ours.evaluate(x, y, verbose=0, return_dict=True, batch_size=40)
    theirs_logs = theirs.evaluate(x, y, verbose=0, return_dict=True, batch_size=40)
    assert set(ours_logs) == set(theirs_logs)
    for name in ours_logs:
        assert ours_logs[name] == pytest.approx(theirs_logs[name], rel=1e-5, abs=1e-6), name


def test_sample_weights_per_output_and_for_all_outputs():
    x, y = _data()
    model = _ticket_model(keras)
    ones = np.ones(40)
    zero_department = {"priority": ones, "department": np.zeros(40)}
    logs = model.evaluate(x, y, sample_weight=zero_department, verbose=0, return_dict=True)
    assert logs["department_loss"] == 0.0 and logs["priority_loss"] > 0
    same = model.evaluate(x, y, sample_weight=ones, verbose=0, return_dict=True)
    plain = model.evaluate(x, y, verbose=0, return_dict=True)
    assert same["loss"] == pytest.approx(plain["loss"], rel=1e-6)


def test_wide_and_deep_subclassed_model_takes_a_tuple_and_trains():
    class WideAndDeepModel(keras.Model):  # "Hands-On Machine Learning", chapter 10
        def __init__(self, units=30, activation="relu", **kwargs):
            super().__init__(**kwargs)
            self.hidden1 = layers.Dense(units, activation=activation)
            self.hidden2 = layers.Dense(units, activation=activation)
            self.main_output = layers.Dense(1)
            self.aux_output = layers.Dense(1)

        def call(self, inputs):
            input_a, input_b = inputs
            hidden1 = self.hidden1(input_b)
            hidden2 = self.hidden2(hidden1)
            concat = layers.concatenate([input_a, hidden2])
            return self.main_output(concat), self.aux_output(hidden2)

    rng = np.random.default_rng(2)
    x_a, x_b = rng.standard_normal((64, 5)), rng.standard_normal((64, 6))
    y = (x_a[:, :1] + x_b[:, :1]).astype("float32")
    model = WideAndDeepModel(30, activation="relu")
    model.compile(loss="mse", loss_weights=[0.9, 0.1], optimizer="sgd")
    history = model.fit((x_a, x_b), (y, y), epochs=8, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    main, aux = model.predict((x_a, x_b), verbose=0)
    assert main.shape == aux.shape == (64, 1)
    total, main_loss, aux_loss = model.evaluate((x_a, x_b), (y, y), verbose=0)
    assert total == pytest.approx(0.9 * main_loss + 0.1 * aux_loss, rel=1e-5)


@pytest.mark.parametrize("compile_args, match", [
    ({"loss": ["mse"]}, r"loss has 1 entries but the model has 2 output\(s\) \['priority', "
                        r"'department'\]"),
    ({"loss": {"priorty": "mse"}}, r"'priorty', which names no output.*Did you mean "
                                   r"'priority'"),
    ({"loss": "mse", "metrics": ["mae"]}, r"for a model with 2 outputs .* metrics must be a "
                                          r"list of 2 entries"),
    ({"loss": "mse", "loss_weights": 0.5}, r"loss_weights=0.5 is one value but the model has "
                                           r"2 outputs"),
])
def test_bad_compile_combinations_fail_at_compile(compile_args, match):
    # a functional model knows its outputs, so compile itself checks the structures
    model = _ticket_model(keras)
    with pytest.raises(ValueError, match=match):
        model.compile(optimizer="adam", **compile_args)


def test_missing_inputs_unknown_keys_and_row_counts_are_named():
    x, y = _data()
    model = _ticket_model(keras)
    with pytest.raises(ValueError, match="no array for input 'body'"):
        model.fit({"title": x["title"]}, y, verbose=0)
    with pytest.raises(ValueError, match=r"'bdy' names no input.*Did you mean 'body'"):
        model.fit({**x, "bdy": x["body"]}, y, verbose=0)
    with pytest.raises(ValueError, match="'departmnt' names no output.*Did you mean "
                                         "'department'"):
        model.fit(x, {"priority": y["priority"], "departmnt": y["department"]}, verbose=0)
    with pytest.raises(ValueError, match=r"x\[1\] has 30 rows but x\[0\] has 40"):
        model.fit({"title": x["title"], "body": x["body"][:30]}, y, verbose=0)
    with pytest.raises(ValueError, match="no targets for output 'department'"):
        model.fit(x, {"priority": y["priority"]}, verbose=0)


def test_early_stopping_watches_a_per_output_loss_and_suggests_the_new_names():
    x, y = _data()
    model = _ticket_model(keras)
    stop = keras.callbacks.EarlyStopping(monitor="val_priority_loss", patience=0)
    model.fit(x, y, epochs=3, validation_split=0.25, callbacks=[stop], verbose=0)
    typo = keras.callbacks.EarlyStopping(monitor="val_priorty_loss")
    with pytest.raises(ValueError, match="Did you mean 'val_priority_loss'"):
        model.fit(x, y, epochs=1, validation_split=0.25, callbacks=[typo], verbose=0)


def test_a_multi_output_model_saves_and_loads_with_its_compile_settings(tmp_path):
    x, y = _data()
    model = _ticket_model(keras)
    model.fit(x, y, epochs=1, verbose=0)
    path = tmp_path / "tickets.neurona"
    model.save(path)
    loaded = keras.saving.load_model(path)
    for name in ("priority", "department"):
        np.testing.assert_array_equal(loaded.predict(x, verbose=0)[name],
                                      model.predict(x, verbose=0)[name])
    assert loaded.evaluate(x, y, verbose=0, return_dict=True) == \
        model.evaluate(x, y, verbose=0, return_dict=True)
