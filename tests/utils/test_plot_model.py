"""plot_model draws Sequential, functional and nested models with Graphviz, and names the
plot_model extra when pydot or Graphviz is missing."""

import sys

import pytest

import neurona as keras
from neurona import layers

pydot = pytest.importorskip("pydot")


def _functional():
    a, b = keras.Input((4,), name="wide"), keras.Input((3,), name="deep")
    hidden = layers.Dense(8, activation="relu", name="hidden")(b)
    inner = keras.Sequential([keras.Input((12,)), layers.Dense(2, name="inner_dense")],
                             name="head")
    out = inner(layers.concatenate([a, hidden], name="merge"))
    return keras.Model([a, b], out, name="wide_and_deep")


def test_model_to_dot_has_the_layers_and_the_connections():
    dot = keras.utils.model_to_dot(_functional(), show_shapes=True, show_layer_activations=True)
    labels = {n.get_name(): n.get("label") for n in dot.get_nodes() if n.get("label")}
    assert {"wide", "deep", "hidden", "merge", "head"} <= set(labels)
    assert "activation: relu" in labels["hidden"] and "(None, 8)" in labels["hidden"]
    edges = {(e.get_source(), e.get_destination()) for e in dot.get_edges()}
    assert {("deep", "hidden"), ("wide", "merge"), ("hidden", "merge"),
            ("merge", "head")} <= edges
    nested = keras.utils.model_to_dot(_functional(), expand_nested=True)
    edges = {(e.get_source(), e.get_destination()) for e in nested.get_edges()}
    (cluster,) = nested.get_subgraphs()
    inside = {(e.get_source(), e.get_destination()) for e in cluster.get_edges()}
    entry = next(target for source, target in edges if source == "merge")
    assert entry.startswith("head/") and (entry, "head/inner_dense") in inside


def test_plot_model_writes_png_and_svg(tmp_path):
    sequential = keras.Sequential([keras.Input((3,)), layers.Dense(4), layers.Dense(1)])
    try:
        keras.utils.plot_model(sequential, tmp_path / "seq.png", show_shapes=True,
                               show_dtype=True, show_trainable=True, rankdir="LR")
    except ImportError as err:
        pytest.skip(str(err))
    assert (tmp_path / "seq.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    keras.utils.plot_model(_functional(), tmp_path / "model.svg", expand_nested=True)
    assert b"<svg" in (tmp_path / "model.svg").read_bytes()


def test_missing_pieces_name_the_extra(monkeypatch, tmp_path):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    monkeypatch.setenv("PATH", str(tmp_path))  # no 'dot' program on the path
    with pytest.raises(ImportError, match=r"Graphviz 'dot' program.*neurona\[plot_model\]"):
        keras.utils.plot_model(model, tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"needs pydot.*neurona\[plot_model\]"):
        keras.utils.plot_model(model, tmp_path / "m.png")


def test_bad_arguments_are_named():
    class Custom(keras.Model):
        def call(self, x):
            return x

    model = Custom()
    model.build((None, 3))
    with pytest.raises(ValueError, match="subclassed model"):
        keras.utils.model_to_dot(model)
    with pytest.raises(ValueError, match="rankdir must be one of"):
        keras.utils.model_to_dot(_functional(), rankdir="BT")
    with pytest.raises(ValueError, match="not built"):
        keras.utils.model_to_dot(keras.Sequential([layers.Dense(2)]))
