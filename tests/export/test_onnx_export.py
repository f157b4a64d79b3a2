"""Whole models to ONNX: functional graphs, nested models, the opset, Model.export, and the
errors that name what cannot be exported."""

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import neurona as nk  # noqa: E402
from neurona.export import CONVERTERS, converter, export_onnx  # noqa: E402

from .test_layers import run_onnx  # noqa: E402


def _functional():
    L = nk.layers
    a, b = nk.Input((4,), name="a"), nk.Input((4,), name="b")
    shared = L.Dense(3, name="shared")
    sa, sb = shared(a), shared(b)
    merged = L.Concatenate()([L.Add()([sa, sb]), L.Subtract()([sa, sb]),
                              L.Multiply()([sa, sb, sa]), L.Average()([sa, sb]),
                              L.Maximum()([sa, sb]), L.Minimum()([sa, sb])])
    inner = nk.Sequential([L.Dense(5, activation="relu"), L.BatchNormalization(),
                           L.Dropout(0.5)], name="inner")
    head = L.Dense(2, activation="softmax", name="head")(inner(merged))
    side = L.Dense(1, activation="sigmoid", name="side")(sb)
    return nk.Model({"a": a, "b": b}, {"head": head, "side": side})


def test_functional_models_with_shared_nested_and_merging_layers(tmp_path, rng):
    model = _functional()
    x = {"a": rng.normal(size=(6, 4)).astype("float32"),
         "b": rng.normal(size=(6, 4)).astype("float32")}
    export_onnx(model, tmp_path / "f.onnx")
    session, outputs = run_onnx(tmp_path / "f.onnx", x)
    assert [i.name for i in session.get_inputs()] == ["a", "b"]
    got = dict(zip([o.name for o in session.get_outputs()], outputs))
    want = model.predict(x, verbose=0)
    assert set(got) == {"head", "side"}
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6)


def test_model_export_names_the_opset_and_checks_its_arguments(tmp_path, rng, capsys):
    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2)])
    model.export(tmp_path / "m.onnx")
    assert "Saved the model as ONNX" in capsys.readouterr().out
    proto = onnx.load(tmp_path / "m.onnx")
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)]
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    model.export(tmp_path / "m19.onnx", verbose=False, opset_version=19)
    assert onnx.load(tmp_path / "m19.onnx").opset_import[0].version == 19
    model.export(tmp_path / "fixed.onnx", verbose=False, input_signature=[(4, 3)])
    dims = onnx.load(tmp_path / "fixed.onnx").graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_value for d in dims] == [4, 3]
    with pytest.raises(ValueError, match="opset_version must be an int in"):
        model.export(tmp_path / "x.onnx", opset_version=9)
    with pytest.raises(ValueError, match="format='tf_saved_model' is not supported"):
        model.export(tmp_path / "x", format="tf_saved_model")
    with pytest.raises(ValueError, match="does not fit input"):
        model.export(tmp_path / "x.onnx", input_signature=[(None, 5)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fixed.onnx", "m.onnx", "m19.onnx"]


def test_what_cannot_be_exported_is_named(tmp_path):
    class Twice(nk.layers.Layer):
        def call(self, x):
            return x * 2.0

    model = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2), Twice(name="twice")])
    with pytest.raises(ValueError, match=r"layer 'twice' \(Twice\) has no ONNX converter"):
        export_onnx(model, tmp_path / "m.onnx")

    class Subclassed(nk.Model):
        def __init__(self):
            super().__init__()
            self.dense = nk.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    sub = Subclassed()
    sub.build((None, 3))
    with pytest.raises(ValueError, match="subclassed Subclassed; its call\\(\\) is Python code"):
        export_onnx(sub, tmp_path / "m.onnx")
    def cube(x):
        return x * x * x

    nk.activations.ACTIVATIONS.add("cube", cube)
    try:
        cube = nk.Sequential([nk.Input((3,)), nk.layers.Dense(2, activation="cube")])
        with pytest.raises(ValueError, match="activation 'cube', which has no ONNX converter"):
            export_onnx(cube, tmp_path / "m.onnx")
    finally:
        nk.activations.ACTIVATIONS._entries.pop("cube")
        nk.activations.ACTIVATIONS._folded.pop("cube")
    assert not list(tmp_path.iterdir())


def test_a_converter_is_one_function(tmp_path, rng):
    class Twice(nk.layers.Layer):
        def call(self, x):
            return x * 2.0

    Twice.__module__ = "neurona.layers.twice_for_test"  # as a built-in layer would be
    converter("Twice")(lambda g, layer, x: g.node("Mul", [x, g.constant(2.0, "two")]))
    try:
        model = nk.Sequential([nk.Input((3,)), Twice()])
        export_onnx(model, tmp_path / "m.onnx")
        x = rng.normal(size=(2, 3)).astype("float32")
        np.testing.assert_array_equal(run_onnx(tmp_path / "m.onnx", {"input": x})[1][0], 2 * x)
    finally:
        CONVERTERS.pop("Twice")
