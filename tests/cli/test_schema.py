"""The run configuration's schema: validation fills in its defaults, its reference rows cover
every key, and every option it names exists on the command line."""

import pytest

from neurona.cli import build_parser, config as C, schema


def _keys(mapping, prefix=""):
    for name, value in mapping.items():
        yield prefix + name
        if isinstance(value, dict):
            yield from _keys(value, prefix + name + ".")


def test_validation_fills_in_the_schema_defaults():
    config = C.validate({"data": "d.csv", "target": "y"})
    want = schema.defaults()
    want.update(data="d.csv", target="y")
    want["layers"] = C.layer_specs(want["layers"])
    assert config == want
    assert config["layers"][0] == {"units": 64, "activation": "relu", "initializer": None,
                                   "batch_norm": False, "dropout": 0.0, "l1": 0.0, "l2": 0.0}


def test_the_reference_names_every_key_with_its_accepted_values():
    rows = schema.reference_rows()
    names = [row[0] for row in rows]
    config = C.validate({"data": "d.csv", "target": "y"})
    assert set(_keys({k: v for k, v in config.items() if k != "layers"})) <= set(names)
    assert {f"layers[i].{key}" for key in config["layers"][0]} <= set(names)
    assert len(names) == len(set(names))
    for name, _default, accepts, _option, help_text in rows:
        assert accepts and help_text, name
    row = dict((r[0], r) for r in rows)["split.validation"]
    assert row[1] == 0.2 and row[2] == "a number > 0.0 and < 1.0" and row[3] == \
        "--validation-split"


def test_every_option_the_schema_names_exists_on_the_command_line():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    options = {flag for action in commands["train"]._actions for flag in action.option_strings}
    named = {row[3] for row in schema.reference_rows() if row[3] and row[3].startswith("--")}
    assert named and named <= options, named - options


@pytest.mark.parametrize("raw, message", [
    ({"split": {"stratify": "yes"}}, "split.stratify must be auto, true or false, got 'yes'"),
    ({"layers": [{"units": 8, "batch_norm": 1}]}, "layers[0].batch_norm must be true or false"),
    ({"csv": {"sep": ""}}, "csv.sep must be a non-empty string"),
    ({"csv": {"na_values": [1]}}, "csv.na_values must be a list of strings"),
    ({"compile": {"schedule": "linear"}}, "compile.schedule must be one of constant, "
                                          "exponential, cosine, got 'linear'"),
    ({"callbacks": {"early_stopping": {"patience": -1}}},
     "callbacks.early_stopping.patience must be an integer >= 0"),
])
def test_bad_values_name_the_key(raw, message):
    with pytest.raises(C.CLIError) as caught:
        C.validate({"data": "d.csv", "target": "y", **raw})
    assert message in str(caught.value)


def test_switch_sections_turn_off_and_on():
    config = C.validate({"data": "d.csv", "target": "y",
                         "callbacks": {"early_stopping": False, "tensorboard": True}})
    assert config["callbacks"]["early_stopping"] is None
    assert config["callbacks"]["tensorboard"] == {"histogram_freq": 0}
