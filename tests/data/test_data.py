"""neurona.data: splits, the tabular encoder, read_table's errors and the training-setup doctor."""

import gzip
import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")

import neurona as keras  # noqa: E402
from neurona import layers  # noqa: E402
from neurona.data import (DataError, MissingValueWarning, TabularEncoder,  # noqa: E402
                          check_training_setup, format_findings, read_table, recommended_output,
                          train_test_split, train_val_test_split)
from neurona.datasets import _files  # noqa: E402


# -- splits -------------------------------------------------------------------------------------
def test_split_sizes_and_partition():
    x, y = np.arange(200).reshape(100, 2), np.arange(100)
    x_tr, x_va, x_te, y_tr, y_va, y_te = train_val_test_split(x, y, seed=0)
    assert (len(y_tr), len(y_va), len(y_te)) == (70, 15, 15)
    assert sorted(np.concatenate([y_tr, y_va, y_te]).tolist()) == list(range(100))
    np.testing.assert_array_equal(x_tr[:, 0], 2 * y_tr)  # rows stay aligned across arrays
    parts = train_val_test_split(x, val_size=10, test_size=0.25, seed=0)
    assert [len(p) for p in parts] == [65, 10, 25]
    assert [len(p) for p in train_val_test_split(x, val_size=0.0, test_size=0.2, seed=0)] == \
        [80, 0, 20]


def test_train_test_split_sizes_match_scikit_learn():
    sk = pytest.importorskip("sklearn.model_selection")
    for n in (7, 10, 33, 101):
        for size in (0.1, 0.25, 0.33, 3):
            ours = train_test_split(np.arange(n), test_size=size, seed=0)
            ref = sk.train_test_split(np.arange(n), test_size=size, random_state=0)
            assert [len(p) for p in ours] == [len(p) for p in ref]


def test_split_without_shuffle_keeps_order():
    tr, va, te = train_val_test_split(list(range(10)), val_size=0.2, test_size=0.2, shuffle=False)
    assert (tr, va, te) == (list(range(6)), [6, 7], [8, 9])
    assert train_test_split(np.arange(10), test_size=0.3, shuffle=False)[1].tolist() == [7, 8, 9]


def test_stratified_split_keeps_class_proportions():
    y = np.array([0] * 800 + [1] * 150 + [2] * 50)
    parts = train_val_test_split(np.arange(1000), y, stratify=y, seed=3)
    for labels, size in zip(parts[3:], (700, 150, 150)):
        assert len(labels) == size
        expected = size * np.array([0.8, 0.15, 0.05])
        assert np.all(np.abs(np.bincount(labels, minlength=3) - expected) <= 1)
    # the shipped imbalanced set: 6% "Yes" in every part
    purchase = _files.read_frame("caravan_customers")["Purchase"]
    shares = [(p == "Yes").mean() for p in train_val_test_split(purchase, stratify=purchase, seed=0)]
    assert max(shares) - min(shares) < 0.002
    assert isinstance(train_test_split(purchase, stratify=purchase, seed=0)[0], pd.Series)


def test_stratified_split_gives_every_class_to_every_part():
    y = np.array(["a"] * 20 + ["b"] * 3)
    parts = train_val_test_split(y, stratify=y, val_size=0.2, test_size=0.2, seed=1)
    assert all(set(p) == {"a", "b"} for p in parts)


def test_split_is_deterministic_with_a_seed():
    x = np.arange(50)
    first = train_val_test_split(x, seed=7)
    again = train_val_test_split(x, seed=7)
    other = train_val_test_split(x, seed=8)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])
    keras.utils.set_random_seed(5)
    a = train_test_split(x)[0]
    keras.utils.set_random_seed(5)
    assert np.array_equal(a, train_test_split(x)[0])


@pytest.mark.parametrize("call, message", [
    (lambda: train_val_test_split(np.arange(10), stratify=[0] * 8 + [1] * 2),
     r"class 1 has only 2 member\(s\).*at least 3 per class"),
    (lambda: train_test_split(np.arange(10), stratify=[0] * 9 + [1]),
     r"class 1 has only 1 member.*at least 2"),
    (lambda: train_val_test_split(np.arange(20), stratify=np.arange(20) % 4, val_size=0.1),
     r"validation set has 2 rows, fewer than the 4 classes"),
    (lambda: train_val_test_split(np.arange(10), val_size=0.5, test_size=0.5),
     r"leave no training rows"),
    (lambda: train_val_test_split(np.arange(10), np.arange(9)),
     r"different numbers of rows \[10, 9\]"),
    (lambda: train_val_test_split(np.arange(10), val_size=1.5), r"val_size must be a fraction"),
    (lambda: train_val_test_split(np.arange(10), test_size="0.2"), r"test_size must be"),
    (lambda: train_test_split(np.arange(10), stratify=[0, 1] * 5, shuffle=False),
     r"stratify needs shuffle=True"),
    (lambda: train_test_split(), r"at least one array"),
    (lambda: train_test_split(np.arange(10), stratify=[0.0, np.nan] * 5), r"NaN label"),
])
def test_split_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- TabularEncoder -----------------------------------------------------------------------------
def _cars():
    return pd.DataFrame({
        "km": [10.0, 20.0, 30.0, 40.0, np.nan, 60.0],
        "doors": [2, 4, 4, 2, 4, 2],
        "make": ["Saab", "Buick", "Saab", None, "Chevy", "Buick"],
        "age": [1, 2, 3, 4, 5, 6],
        "flat": [7.0] * 6,
        "sold": ["Yes", "No", "Yes", "No", "No", "Yes"],
    })


def test_encoder_statistics_come_from_training_rows_only():
    sk = pytest.importorskip("sklearn.preprocessing")
    frame = _files.read_frame("boston_housing")
    train, test = frame.iloc[:400], frame.iloc[400:]
    enc = TabularEncoder(target="medv").fit(train)
    numeric = enc.numeric_columns
    scaler = sk.StandardScaler().fit(train[numeric])
    x_test = enc.transform(test)
    columns = [enc.feature_names.index(c) for c in numeric]
    np.testing.assert_allclose(x_test[:, columns], scaler.transform(test[numeric]), rtol=1e-5,
                               atol=1e-5)
    assert abs(x_test[:, columns].mean()) > 0.05  # the test rows' own statistics were not used


def test_encoder_infers_kinds_and_encodes_categories():
    with pytest.warns(MissingValueWarning):
        enc = TabularEncoder(target="sold").fit(_cars())
    assert enc.numeric_columns == ["km", "age", "flat"]
    assert enc.categorical_columns == ["doors", "make"]  # 2-valued integers are flags
    assert enc.feature_names == ["km", "doors=2", "doors=4", "doors=<unknown>", "make=Buick",
                                 "make=Chevy", "make=Saab", "make=<missing>", "make=<unknown>",
                                 "age", "flat"]
    new = pd.DataFrame({"km": [30.0], "doors": [3], "make": ["Opel"], "age": [3], "flat": [7.0]})
    row = dict(zip(enc.feature_names, enc.transform(new)[0]))
    assert row["doors=<unknown>"] == 1 and row["doors=2"] == row["doors=4"] == 0
    assert row["make=<unknown>"] == 1 and row["make=<missing>"] == 0
    assert row["flat"] == 0.0  # constant in training: scale 1, centred at 0
    with pytest.warns(MissingValueWarning):
        assert np.all(enc.transform(_cars())[:, enc.feature_names.index("flat")] == 0.0)
    x = enc.transform(_cars().drop(columns="sold").iloc[3:4])  # target column not needed
    assert dict(zip(enc.feature_names, x[0]))["make=<missing>"] == 1
    assert x.dtype == np.float32


def test_encoder_missing_value_policy_and_its_warning():
    with pytest.warns(MissingValueWarning, match=r"training mean in 'km' \(1 of 6 rows\)"):
        enc = TabularEncoder(target="sold").fit(_cars())
    km = enc.get_config()["fitted"]["features"][0]
    assert km["mean"] == pytest.approx(32.0)  # the mean of the present values
    test = pd.DataFrame({"km": [np.nan, np.nan], "doors": [2, 4], "make": ["Saab", "Saab"],
                         "age": [1, np.nan], "flat": [7.0, 7.0]})
    with pytest.warns(MissingValueWarning, match=r"'km' \(2 of 2 rows\), 'age' \(1 of 2 rows\)"):
        x = enc.transform(test)
    names = enc.feature_names
    assert x[0, names.index("km")] == 0.0 and x[1, names.index("age")] == 0.0
    # a categorical NaN never seen in training goes to the unknown bucket
    clean = TabularEncoder(categorical=["make"]).fit(pd.DataFrame({"make": ["a", "b"]}))
    assert clean.transform(pd.DataFrame({"make": [None]})).tolist() == [[0.0, 0.0, 1.0]]


def test_encoder_config_round_trips_through_json():
    frame = _files.read_frame("used_car_prices")
    enc = TabularEncoder(target="price").fit(frame.iloc[:600])
    text = json.dumps(enc.get_config())
    again = TabularEncoder.from_config(json.loads(text))
    np.testing.assert_array_equal(again.transform(frame.iloc[600:]), enc.transform(frame.iloc[600:]))
    assert again.feature_names == enc.feature_names and again.task == "regression"
    assert json.dumps(again.get_config()) == text
    caravan = _files.read_frame("caravan_customers").iloc[:1000]
    enc = TabularEncoder(target="Purchase").fit(caravan)
    again = TabularEncoder.from_config(json.loads(json.dumps(enc.get_config())))
    np.testing.assert_array_equal(again.transform_target(caravan), enc.transform_target(caravan))
    assert list(again.inverse_transform_target(np.array([[0.9], [0.1]]))) == ["Yes", "No"]
    unfitted = TabularEncoder.from_config(json.loads(json.dumps(TabularEncoder(target="y").get_config())))
    assert not unfitted.fitted and unfitted.target == "y"
    with pytest.raises(ValueError, match="not an encoder state"):
        TabularEncoder.from_config({"fitted": {"features": [], "target": None}})
    with pytest.raises(ValueError, match=r"feature 0 is invalid \(\{'kind': 'odd'\}\); the state "
                                         r"was altered"):
        TabularEncoder.from_config({"fitted": {"features": [{"kind": "odd"}], "target": None}})


@pytest.mark.parametrize("transform, forward", [
    ("log", np.log), ("log1p", np.log1p),
    ("standardize", lambda v: (v - v[:600].mean()) / v[:600].std()),
])
def test_target_transform_learns_transformed_values_and_maps_predictions_back(transform, forward):
    frame = _files.read_frame("used_car_prices")
    price = frame["price"].to_numpy(dtype=np.float64)
    enc = TabularEncoder(target="price", target_transform=transform).fit(frame.iloc[:600])
    y = enc.transform_target(frame)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, forward(price), rtol=1e-6, atol=1e-6)
    back = enc.inverse_transform_target(y[:, None].astype(np.float64))
    assert back.dtype == np.float64
    np.testing.assert_allclose(back, price, rtol=1e-6)
    again = TabularEncoder.from_config(json.loads(json.dumps(enc.get_config())))
    assert again.target_transform == transform
    np.testing.assert_array_equal(again.transform_target(frame), y)
    np.testing.assert_array_equal(again.inverse_transform_target(y), enc.inverse_transform_target(y))


def test_target_transform_refuses_values_outside_its_domain_and_class_targets():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [3.0, 0.0, 5.0, 8.0]})
    with pytest.raises(ValueError, match=r"target_transform='log' needs values above 0, but "
                                         r"target 'y' holds 0 at row 1; use target_transform="
                                         r"'log1p' for values >= 0"):
        TabularEncoder(target="y", target_transform="log").fit(frame)
    enc = TabularEncoder(target="y", target_transform="log1p").fit(frame)
    with pytest.raises(ValueError, match=r"transform_target: target_transform='log1p' needs "
                                         r"values above -1, but target 'y' holds -2"):
        enc.transform_target(pd.DataFrame({"y": [1.0, -2.0]}))
    with pytest.raises(ValueError, match=r"applies to regression targets, but 'sold' is a binary"):
        TabularEncoder(target="sold", target_transform="log").fit(_cars())
    with pytest.raises(ValueError, match=r"target_transform='sqrt' is not one of"):
        TabularEncoder(target="y", target_transform="sqrt")
    with pytest.raises(ValueError, match=r"needs target="):
        TabularEncoder(target_transform="log")
    # encoders saved before the option existed still load and leave targets as they are
    old = enc.get_config()
    del old["target_transform"], old["fitted"]["target"]["transform"]
    np.testing.assert_array_equal(TabularEncoder.from_config(old).transform_target(frame),
                                  frame["y"].to_numpy(np.float32))


def test_task_inference_on_the_shipped_data_sets():
    boston = TabularEncoder(target="medv").fit(_files.read_frame("boston_housing"))
    assert boston.task == "regression" and boston.classes is None
    caravan = _files.read_frame("caravan_customers")
    enc = TabularEncoder(target="Purchase").fit(caravan)
    assert enc.task == "binary" and enc.classes == ["No", "Yes"]
    y = enc.transform_target(caravan)
    assert y.dtype == np.int64 and y.mean() == pytest.approx((caravan["Purchase"] == "Yes").mean())
    cars = TabularEncoder(target="price").fit(_files.read_frame("used_car_prices"))
    assert {"make", "body"} <= set(cars.categorical_columns) and cars.task == "regression"
    assert "mileage" in cars.numeric_columns
    digits = pd.DataFrame({"a": np.arange(30.0), "label": np.arange(30) % 5})
    multi = TabularEncoder(target="label").fit(digits)
    assert multi.task == "multiclass" and multi.classes == [0, 1, 2, 3, 4]
    probs = np.eye(5)[[4, 0]]
    assert list(multi.inverse_transform_target(probs)) == [4, 0]
    assert multi.recommended_output()["units"] == 5


def test_recommended_output_follows_the_course_table():
    assert recommended_output("regression") == {"units": 1, "activation": "linear", "loss": "mse",
                                                "alternatives": ["mae"], "metrics": ["mae"]}
    binary = recommended_output("binary")
    assert (binary["units"], binary["activation"], binary["loss"]) == (1, "sigmoid",
                                                                       "binary_crossentropy")
    multi = recommended_output("multiclass", 7)
    assert (multi["units"], multi["activation"], multi["loss"]) == (
        7, "softmax", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="needs n_classes"):
        recommended_output("multiclass")
    with pytest.raises(ValueError, match="task='ranking' is not one of"):
        recommended_output("ranking")


def test_encoded_caravan_trains_with_the_recommended_output():
    frame = _files.read_frame("caravan_customers").iloc[:300]
    enc = TabularEncoder(target="Purchase").fit(frame)
    out = enc.recommended_output()
    model = keras.Sequential([layers.Dense(8, activation="relu", input_shape=[enc.n_features]),
                              layers.Dense(out["units"], activation=out["activation"])])
    model.compile(optimizer="adam", loss=out["loss"], metrics=out["metrics"])
    with pytest.warns(keras.TrainingSetupWarning, match="class 1 is only"):
        history = model.fit(enc.transform(frame), enc.transform_target(frame), epochs=2,
                            verbose=0, seed=0)
    assert np.isfinite(history.history["loss"]).all()


@pytest.mark.parametrize("call, error, message", [
    (lambda: TabularEncoder().transform(_cars()), RuntimeError, "not fitted"),
    (lambda: TabularEncoder(target="sould").fit(_cars()), ValueError, r"did you mean 'sold'"),
    (lambda: TabularEncoder(numeric=["make"]).fit(_cars()), ValueError,
     r"column 'make' is numeric but row 0 holds 'Saab'"),
    (lambda: TabularEncoder(target="flat").fit(_cars().drop(columns="km")), ValueError,
     r"target 'flat' has a single value '7'"),
    (lambda: TabularEncoder(target="age", task="binary").fit(_cars().drop(columns="km")), ValueError,
     r"task='binary' but target 'age' has 6 classes"),
    (lambda: TabularEncoder(target="sold", task="ranking"), ValueError, r"not one of"),
    (lambda: TabularEncoder(numeric=["km"], categorical=["km"]), ValueError, "both numeric and"),
    (lambda: TabularEncoder().fit([[1, 2]]), TypeError, "expects a pandas DataFrame"),
])
def test_encoder_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_encoder_errors_at_transform_time():
    frame = _cars().drop(columns="km")
    enc = TabularEncoder(target="sold").fit(frame)
    with pytest.raises(ValueError, match=r"column 'make' is not in the data \(did you mean 'Make'"):
        enc.transform(frame.rename(columns={"make": "Make"}))
    with pytest.raises(ValueError, match=r"classes \['Maybe'\] never seen in training"):
        enc.transform_target(["Yes", "Maybe"])
    with pytest.raises(ValueError, match="labels span"):
        enc.inverse_transform_target(np.array([0, 2]))


# -- read_table ---------------------------------------------------------------------------------
READ_ERRORS = [
    ("empty.csv", "", {}, r"empty.csv: the file is empty"),
    ("head.csv", "km,price\n", {}, r"has a header \(km, price\) but no data rows"),
    ("dup.csv", "km,km,price\n1,2,3\n", {}, r"duplicate column name\(s\) \['km'\]"),
    ("long.csv", "a,b\n1,2\n3,4,5\n", {}, r"line 3 has 3 field\(s\) but the header has 2"),
    ("short.csv", "a,b,c\n1,2,3\n\n4,5\n", {}, r"line 4 has 2 field\(s\) but the header has 3"),
    ("typo.csv", "km,price\n1,2.5\n2,abc\n3,4.5\n4,5.5\n5,1\n6,2\n", {},
     r"column 'price' is numeric except 'abc' at data row 1 \(line 3\); fix the cell, or pass "
     r"na_values=\['abc'\]"),
    ("target.csv", "km,price\n1,2\n2,3\n", {"target": "prize"},
     r"no target column 'prize' \(did you mean 'price'\?\)"),
    ("case.csv", "km,Price\n1,2\n2,3\n", {"target": "price"}, r"did you mean 'Price'"),
    ("one.csv", "km,sold\n1,Yes\n2,Yes\n", {"target": "sold"}, r"single value 'Yes' in all 2 rows"),
    ("gap.csv", "km,sold\n1,Yes\n2,\n3,No\n", {"target": "sold"},
     r"target 'sold' is missing in 1 row\(s\) \(first at line 3\)"),
    ("table.xlsx", "a\n1\n", {}, r"expected a .csv or .csv.gz file"),
]


@pytest.mark.parametrize("name, content, kwargs, message", READ_ERRORS)
def test_read_table_errors(tmp_path, name, content, kwargs, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DataError, match=message) as info:
        read_table(path, **kwargs)
    assert "\n" not in str(info.value)


def test_read_table_missing_file_and_bad_gzip(tmp_path):
    (tmp_path / "train.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataError, match=r"trian.csv: no such file \(did you mean 'train.csv'\?\)"):
        read_table(tmp_path / "trian.csv")
    (tmp_path / "bad.csv.gz").write_bytes(b"not gzip")
    with pytest.raises(DataError, match="not a valid gzip file"):
        read_table(tmp_path / "bad.csv.gz")
    assert issubclass(DataError, ValueError)


def test_read_table_reads_csv_and_gzip(tmp_path):
    text = "make,km,sold\nSaab,1.5,Yes\nBuick,?,No\n\nChevy,3,No\n"
    (tmp_path / "cars.csv.gz").write_bytes(gzip.compress(text.encode()))
    frame = read_table(tmp_path / "cars.csv.gz", target="sold", na_values=["?"])
    assert frame.shape == (3, 3) and np.isnan(frame["km"].iloc[1])
    assert frame["km"].dtype == np.float64
    boston = read_table(_files.resources.files("neurona.datasets") / "data" / "boston_housing.csv",
                        target="medv")
    assert boston.shape == (506, 14)


# -- check_training_setup -----------------------------------------------------------------------
def _codes(findings):
    return [f.code for f in findings]


def _model(*last, inputs=3, first=None):
    """A small Sequential model: [first], Dense(4, relu), then the output layers ``last``."""
    stack = [first] if first is not None else []
    return keras.Sequential([keras.Input(shape=(inputs,)), *stack,
                             layers.Dense(4, activation="relu"), *last])


def test_doctor_clean_setup_has_no_findings(rng):
    x = rng.normal(size=(200, 3))
    y = rng.integers(0, 2, 200)
    model = _model(layers.Dense(1, activation="sigmoid"))
    findings = check_training_setup(x, y, model=model, loss="binary_crossentropy",
                                    validation_split=0.2)
    assert findings == [] and format_findings(findings) == "No problems found."


def test_doctor_unscaled_inputs(rng):
    x = np.column_stack([rng.normal(size=100), rng.normal(400.0, 150.0, size=100)])
    frame = pd.DataFrame(x, columns=["rm", "tax"])
    (finding,) = check_training_setup(frame)
    assert finding.level == "warning" and finding.code == "unscaled_inputs"
    assert "1 of 2 input features" in finding.message and "tax: mean 4" in finding.message
    assert "BatchNormalization" in finding.fix
    batchnorm = _model(layers.Dense(1), inputs=2, first=layers.BatchNormalization())
    assert check_training_setup(x, model=batchnorm) == []
    pixels = rng.integers(0, 256, (10, 8, 8, 1)).astype(np.float32)
    assert "x / 255.0" in check_training_setup(pixels)[0].fix
    # a tiny column is unscaled; a mostly-zero one (MNIST's edge pixels, /255) is not
    micro = np.column_stack([rng.normal(size=100), rng.normal(0.0, 1e-4, size=100)])
    assert "column 1: mean" in check_training_setup(micro)[0].message
    sparse = np.column_stack([rng.normal(size=100), np.where(np.arange(100) == 7, 0.3, 0.0)])
    assert check_training_setup(sparse) == []


def test_doctor_class_imbalance(rng):
    x = rng.normal(size=(100, 2))
    (finding,) = check_training_setup(x, np.array([0] * 90 + [1] * 10), loss="binary_crossentropy")
    assert finding.code == "class_imbalance" and "class 1 is only 10.0%" in finding.message
    assert "class_weight='balanced'" in finding.fix
    assert check_training_setup(x, np.arange(100) % 10, loss="sparse_categorical_crossentropy") == []


@pytest.mark.parametrize("last, loss, labels, code", [
    ([layers.Dense(1, activation="sigmoid")], "binary_crossentropy", np.arange(100) % 10,
     "labels_out_of_range"),
    ([layers.Dense(1, activation="sigmoid")], "mse", np.arange(100) % 10,
     "labels_out_of_sigmoid_range"),
    ([layers.Dense(1, activation="softmax")], "binary_crossentropy", np.arange(100) % 2,
     "softmax_one_unit"),
    ([layers.Dense(3), layers.Activation("softmax")], "sparse_categorical_crossentropy",
     np.arange(100) % 5, "labels_exceed_units"),
    ([layers.Dense(1)], "sparse_categorical_crossentropy", np.arange(100) % 2,
     "sparse_loss_one_unit"),
    ([layers.Dense(3, activation="softmax")], "categorical_crossentropy", np.arange(100) % 3,
     "labels_not_one_hot"),
    ([layers.Dense(1)], "binary_crossentropy", np.arange(100) % 2, "missing_sigmoid"),
    ([layers.Dense(1, activation="relu")], "mse", np.linspace(-1, 1, 100), "labels_out_of_range"),
])
def test_doctor_loss_activation_label_errors(rng, last, loss, labels, code):
    findings = check_training_setup(rng.normal(size=(100, 3)), rng.permutation(labels),
                                    model=_model(*last), loss=loss)
    assert findings[0].level == "error" and findings[0].code == code, format_findings(findings)


def test_doctor_mse_on_binary_labels_and_compiled_loss(rng):
    model = _model(layers.Dense(1))
    model.compile(optimizer="adam", loss="mse")
    (finding,) = check_training_setup(rng.normal(size=(100, 3)), np.arange(100) % 2, model=model)
    assert finding.level == "warning" and finding.code == "regression_loss_on_labels"
    assert "binary_crossentropy" in finding.fix


def test_doctor_sorted_targets_with_validation_split(rng):
    x = rng.normal(size=(100, 3))
    y = np.sort(rng.integers(0, 3, 100))
    (finding,) = check_training_setup(x, y, loss="sparse_categorical_crossentropy",
                                      validation_split=0.2)
    assert finding.code == "sorted_validation_split" and "last 20 rows" in finding.message
    assert "shuffle" in finding.fix
    assert check_training_setup(x, rng.permutation(y), loss="sparse_categorical_crossentropy",
                                validation_split=0.2) == []
    price = np.sort(rng.normal(size=100))
    assert _codes(check_training_setup(x, price, loss="mse", validation_split=0.2)) == \
        ["sorted_validation_split"]


def test_doctor_bad_data_is_an_error(rng):
    x = rng.normal(size=(10, 2))
    x[3, 1] = np.nan
    (finding,) = check_training_setup(x)
    assert finding.level == "error" and "row 3, column 1" in finding.message
    frame = pd.DataFrame({"make": ["a", "b"], "km": [1.0, 2.0]})
    assert _codes(check_training_setup(frame)) == ["text_inputs"]
    findings = check_training_setup(rng.normal(size=(100, 2)), np.arange(100) % 2, loss="mse",
                                    model=_model(layers.Dense(1, activation="softmax"), inputs=2))
    assert [f.level for f in findings] == sorted(f.level for f in findings)  # errors first
    assert format_findings(findings).startswith("1 error(s), 1 warning(s):")


# -- issue 18, item 13: an extreme value neither zeroes a feature nor overflows ----------------
def test_a_value_near_the_float64_limit_keeps_the_feature_and_is_named():
    from neurona.data import OutlierWarning
    values = np.arange(10.0)
    values[3] = 1e308
    frame = pd.DataFrame({"a": values, "b": np.arange(10.0)})
    with pytest.warns(OutlierWarning, match=r"column 'a' has extreme values \(e.g. 1e\+308"):
        encoded = TabularEncoder().fit_transform(frame)
    assert np.isfinite(encoded).all()
    np.testing.assert_allclose(encoded[:, 0], np.where(np.arange(10) == 3, 3.0, -1 / 3), rtol=1e-6)
    np.testing.assert_allclose(encoded[:, 1], (np.arange(10) - 4.5) / np.arange(10).std(),
                               rtol=1e-6)


def test_a_value_that_scales_beyond_float32_is_an_error_naming_it():
    encoder = TabularEncoder().fit(pd.DataFrame({"a": np.arange(10.0)}))
    with pytest.raises(ValueError, match=r"column 'a' holds 1e\+300 at row 1, which "
                                         r"standardizes to .*beyond float32's range"):
        encoder.transform(pd.DataFrame({"a": [0.0, 1e300]}))


def test_heavy_tailed_columns_are_not_called_outliers():
    values = np.random.default_rng(0).lognormal(0.0, 1.5, size=500)  # incomes, say
    encoded = TabularEncoder().fit_transform(pd.DataFrame({"income": values}))  # no warning
    assert encoded.shape == (500, 1) and abs(float(encoded.std()) - 1.0) < 1e-4


# -- issue 18, items 9 and 14: a .csv.gz expands within a cap; csv's field limit is named --------
def test_a_gzip_bomb_stops_at_the_cap_and_says_so(tmp_path, monkeypatch):
    from neurona.data import csv as csv_module
    monkeypatch.setattr(csv_module, "MIN_GZIP_LIMIT", 1 << 20)
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"0,0\n" * (4 << 20)))  # 16 MiB in ~16 KiB
    size = path.stat().st_size
    with pytest.raises(DataError, match=rf"bomb.csv.gz: decompresses to more than {100 * size} "
                                        rf"bytes, over 100 times its {size} bytes \(a gzip "
                                        r"bomb\?\); reading stopped there"):
        read_table(path)
    honest = tmp_path / "honest.csv.gz"
    honest.write_bytes(gzip.compress(b"a,b\n1,2\n3,4\n"))
    assert read_table(honest).shape == (2, 2)


@pytest.mark.slow
def test_a_real_gzip_bomb_is_refused_within_bounded_memory(tmp_path):
    import os
    import subprocess
    import sys
    import textwrap
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as stream:
        stream.write(b"a,b\n")
        for _ in range(256):  # 1 GiB of rows compressed to ~1 MB
            stream.write(b"0,0\n" * (1 << 20))
    script = textwrap.dedent(f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB: the bomb is too
        from neurona.data import DataError, read_table
        try:
            read_table({str(path)!r})
        except DataError as err:
            print("refused:", err)
    """)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert "decompresses to more than" in done.stdout and "a gzip bomb?" in done.stdout


def test_a_field_over_the_csv_module_limit_is_named_with_its_line(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text('a,b\n1,2\n3,"never closed\n' + "x" * 200_000 + "\n5,6\n")
    with pytest.raises(DataError, match=r"quote.csv: line 3 cannot be read \(field larger than "
                                        r"field limit \(131072\); the limit is 131072 "
                                        r"characters\): look for a quote that is never closed"):
        read_table(path)


# -- issue 18, item 10: an identifier column is not one-hot encoded into a feature per row -------
def test_an_identifier_column_is_left_out_with_a_warning_naming_it_and_the_fix():
    from neurona.data import IdentifierColumnWarning
    rows = 200
    frame = pd.DataFrame({"passenger": [f"P{i:05d}" for i in range(rows)],
                          "age": np.linspace(1, 80, rows),
                          "sex": np.where(np.arange(rows) % 2, "m", "f"),
                          "y": np.arange(rows) % 2})
    encoder = TabularEncoder(target="y")
    with pytest.warns(IdentifierColumnWarning, match=r"column\(s\) 'passenger' hold a different "
                                                     r"value on each of the 200 training rows.*"
                                                     r"neurona train --drop passenger"):
        encoded = encoder.fit_transform(frame)
    assert encoded.shape == (rows, 1 + 3)  # age, and sex one-hot with its unknown bucket
    assert not any("passenger" in name for name in encoder.feature_names)


def test_a_declared_or_small_unique_column_is_kept():
    frame = pd.DataFrame({"code": [f"c{i}" for i in range(30)], "y": np.arange(30.0)})
    assert TabularEncoder(target="y", categorical=["code"]).fit_transform(frame).shape == (30, 31)
    small = frame.iloc[:10]  # a toy table: every value unique is no evidence of an id
    assert TabularEncoder(target="y").fit_transform(small).shape == (10, 11)


def test_a_regression_target_beyond_float32_is_named_not_called_inf():
    frame = pd.DataFrame({"a": np.arange(30.0),
                          "y": np.where(np.arange(30) == 4, 1e39, np.arange(30.0))})
    encoder = TabularEncoder(target="y", task="regression").fit(frame)
    with pytest.raises(ValueError, match=r"target 'y' holds 1e\+39 at row 4, beyond float32's "
                                         r"range.*target_transform='standardize'"):
        encoder.transform_target(frame)
    standardized = TabularEncoder(target="y", task="regression",
                                  target_transform="standardize").fit(frame)
    assert np.isfinite(standardized.transform_target(frame)).all()
