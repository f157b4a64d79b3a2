"""The keras.io structured-data pattern: preprocessing layers inside a functional model
(Normalization for numbers, StringLookup / IntegerLookup + CategoryEncoding for categories),
trained on a real table, saved, reloaded and predicting from the raw columns."""

import pathlib

import numpy as np
import pytest

import neurona as keras
from neurona import layers

DATA = pathlib.Path(__file__).resolve().parents[3] / "shared" / "data" / "used_car_prices.csv"


def _encoded(name, frame, kind, inputs):
    column = frame[name].to_numpy()
    if kind == "numeric":
        inputs[name] = keras.Input((1,), name=name)
        norm = layers.Normalization(name=f"{name}_norm")
        norm.adapt(column[:, None].astype("float32"))
        return norm(inputs[name])
    dtype = "string" if kind == "text" else "int64"
    inputs[name] = keras.Input((1,), name=name, dtype=dtype)
    lookup = (layers.StringLookup if kind == "text" else layers.IntegerLookup)(
        name=f"{name}_lookup")
    lookup.adapt(column)
    encode = layers.CategoryEncoding(lookup.vocabulary_size(), output_mode="one_hot",
                                     name=f"{name}_one_hot")
    return encode(lookup(inputs[name]))


def test_used_car_prices_from_raw_columns(tmp_path):
    pd = pytest.importorskip("pandas")
    if not DATA.exists():
        pytest.skip(f"{DATA} is not there")
    frame = pd.read_csv(DATA)
    target = np.log(frame.pop("price").to_numpy()).astype("float32")
    kinds = {"make": "text", "body": "text", "mileage": "numeric", "cylinders": "integer",
             "doors": "integer", "cruise": "integer", "sound": "integer", "leather": "integer"}
    train, test = frame.iloc[:640], frame.iloc[640:]
    inputs = {}
    features = layers.concatenate([_encoded(n, train, k, inputs) for n, k in kinds.items()])
    hidden = layers.Dense(32, activation="relu")(features)
    model = keras.Model(inputs, layers.Dense(1)(hidden))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])

    def raw(part):
        return {name: part[name].to_numpy() for name in kinds}  # 1-D columns, strings as text

    history = model.fit(raw(train), target[:640], epochs=40, batch_size=32, verbose=0, seed=0)
    assert history.history["loss"][-1] < 0.1 * history.history["loss"][0]
    predictions = model.predict(raw(test), verbose=0)
    baseline = np.abs(target[640:] - target[:640].mean()).mean()
    mae = np.abs(predictions[:, 0] - target[640:]).mean()
    assert mae < 0.4 * baseline  # log-price error (0.094 vs 0.333 for the mean log price)

    model.save(tmp_path / "cars.neurona")
    restored = keras.saving.load_model(tmp_path / "cars.neurona")
    np.testing.assert_array_equal(restored.predict(raw(test), verbose=0), predictions)
    unseen = test.iloc[:2].copy()
    unseen["make"] = ["Tesla", "Lada"]  # categories never seen in training: the OOV slot
    assert np.isfinite(restored.predict(raw(unseen), verbose=0)).all()
