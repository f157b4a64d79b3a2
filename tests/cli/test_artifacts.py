"""The run folder's plots: learning curves on a log scale when the loss falls steeply, value
axes in the target's units for regression metrics that are in them."""

from neurona.cli import artifacts


def _config(**extra):
    return {"target": "medv", "target_units": "k$", "target_transform": None, **extra}


def test_a_steep_loss_gets_a_log_scale_and_units_name_the_target():
    steep = {"loss": [500.0, 40.0, 12.0], "val_loss": [480.0, 45.0, 15.0], "mae": [20.0, 5.0, 3.0]}
    options = artifacts.curve_options(steep, _config(), "regression")
    assert options == {"log_scale": True, "ylabels": {"mae": "mae of medv (k$)"}}
    flat = {"loss": [0.7, 0.5, 0.45], "val_loss": [0.72, 0.6, 0.58]}
    assert artifacts.curve_options(flat, _config(), "binary") == {"log_scale": False,
                                                                 "ylabels": {}}
    # with a target transform the metrics of the history are in the network's units
    logged = artifacts.curve_options(steep, _config(target_transform="log"), "regression")
    assert logged["ylabels"] == {}


def test_the_target_label_carries_its_units():
    assert artifacts.target_label(_config()) == "medv (k$)"
    assert artifacts.target_label(_config(target_units=None)) == "medv"
