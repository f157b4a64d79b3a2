"""``neurona tune``: a study from a CSV, its folder, prediction with the best model, one-line
errors for bad input, and tuning that beats the untuned default on the Caravan data."""

import json
import os

import numpy as np
import pytest

pytest.importorskip("optuna")
pytest.importorskip("pandas")

from neurona.cli import main  # noqa: E402

from ..helpers import run_cli as _run, saved_model_predictions  # noqa: E402

# every test here runs a study of several trials (the quick tier leaves the tuner's out)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def boston_study(data_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("tune") / "boston"
    space = out.parent / "space.yaml"
    space.write_text("layers: {type: int, low: 1, high: 2}\n"
                     "units: {type: int, low: 16, high: 64, log: true, per_layer: layers}\n"
                     "learning_rate: {type: float, low: 0.003, high: 0.03, log: true}\n"
                     "schedule: [constant, cosine]\n")
    code = main(["tune", str(data_dir / "boston_housing.csv"), "--target", "medv", "--trials",
                 "6", "--jobs", "2", "--epochs", "15", "--objective", "mae", "--space",
                 str(space), "--out", str(out), "-q"])
    assert code == 0
    return out


def test_tune_folder_holds_the_study_and_the_best_model(boston_study):
    import optuna

    names = set(os.listdir(boston_study))
    assert {"study.db", "leaderboard.csv", "summary.json", "model.neurona", "metrics.json",
            "best_model.neurona", "optimization_history.png", "trials", "config.yaml"} <= names
    study = optuna.load_study(study_name="neurona",
                              storage=f"sqlite:///{boston_study / 'study.db'}")
    assert sum(t.state.name in ("COMPLETE", "PRUNED") for t in study.trials) == 6
    params = {key for t in study.trials for key in t.params}
    assert params <= {"layers", "units_1", "units_2", "learning_rate", "schedule"}
    summary = json.loads((boston_study / "summary.json").read_text())
    metrics = json.loads((boston_study / "metrics.json").read_text())
    assert metrics["best_trial"] == summary["best"]["trial"]
    best = min((t for t in study.trials if t.state.name == "COMPLETE"), key=lambda t: t.value)
    assert summary["best"]["trial"] == best.number
    assert summary["best"]["metrics"]["mae"] == pytest.approx(best.value)
    assert metrics["validation"]["mae"] == pytest.approx(best.value, rel=1e-5)
    assert np.isfinite(metrics["test"]["mae"])


def test_predict_with_the_tuned_folder_matches_the_best_model(boston_study, data_dir, tmp_path,
                                                              capsys):
    import pandas as pd

    from neurona.data import read_table

    raw = read_table(data_dir / "boston_housing.csv").drop(columns=["medv"]).head(20)
    raw.to_csv(tmp_path / "rows.csv", index=False)
    code, out, _ = _run(capsys, "predict", boston_study, tmp_path / "rows.csv", "-o",
                        tmp_path / "pred.csv")
    assert code == 0
    got = pd.read_csv(tmp_path / "pred.csv")["predicted_medv"].to_numpy()
    want = saved_model_predictions(boston_study / "best_model.neurona", raw,
                                   boston_study / "model.neurona")
    np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("extra, message", [
    (["--objective", "maee"], "unknown objective 'maee'; did you mean 'mae'?"),
    (["--objective", "auc"], "'auc' is not measured for a regression task"),
    (["--constraint", "mae < 3"], "is not 'metric >= number'"),
    (["--space", "SPACE:units: {type: int, low: 4, high: 8}\nlr: [0.1]\n"],
     "search space parameter 'lr' is not a parameter of the MLP; did you mean"),
    (["--space", "SPACE:units: !!python/object/apply:os.system [echo]\n"], "invalid YAML"),
    (["--space", "missing.yaml"], "--space missing.yaml: no such file"),
    (["--resume"], "--resume needs --out"),
    (["--trials", "0"], "n_trials must be an integer >= 1"),
])
def test_bad_input_is_one_line_with_status_2(data_dir, tmp_path, capsys, extra, message):
    if extra[0] == "--space" and extra[1].startswith("SPACE:"):
        path = tmp_path / "space.yaml"
        path.write_text(extra[1][len("SPACE:"):])
        extra = ["--space", path]
    out = tmp_path / "never"
    argv = ["tune", data_dir / "boston_housing.csv", "--target", "medv", "--trials", "2",
            "--epochs", "1", *extra]
    if "--resume" not in extra:
        argv += ["--out", out]
    code, _, err = _run(capsys, *argv)
    assert code == 2
    assert err.startswith("neurona: error: ") and len(err.strip().splitlines()) == 1
    assert message in err
    assert not out.exists()


def test_an_existing_folder_is_not_overwritten(data_dir, tmp_path, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "notes.txt").write_text("keep")
    code, _, err = _run(capsys, "tune", data_dir / "boston_housing.csv", "--target", "medv",
                        "--out", out)
    assert code == 2 and "pass --resume to continue" in err
    assert (out / "notes.txt").read_text() == "keep"


@pytest.mark.slow
def test_tuning_caravan_for_auc_beats_the_untuned_default(data_dir, tmp_path, capsys):
    data = data_dir / "caravan_customers.csv"
    assert main(["train", str(data), "--target", "Purchase", "--out", str(tmp_path / "default"),
                 "--no-tensorboard", "-q"]) == 0
    # 3-fold cross-validated scores: the validation part alone (~70 buyers) is too noisy to
    # pick by; the chosen parameters are then trained on the same rows as the default
    assert main(["tune", str(data), "--target", "Purchase", "--trials", "20", "--jobs", "2",
                 "--objective", "auc", "--cv", "3", "--out", str(tmp_path / "tuned"),
                 "-q"]) == 0
    capsys.readouterr()
    default = json.loads((tmp_path / "default" / "metrics.json").read_text())
    tuned = json.loads((tmp_path / "tuned" / "metrics.json").read_text())
    # the same split (seed 0): the test rows were never seen by the search
    assert tuned["rows"] == default["rows"]
    assert tuned["test"]["roc_auc"] > default["test"]["roc_auc"] + 0.01


@pytest.mark.slow
def test_resume_continues_the_study_in_the_folder(data_dir, tmp_path, capsys):
    import optuna

    out = tmp_path / "study"
    argv = ["tune", data_dir / "boston_housing.csv", "--target", "medv", "--epochs", "2",
            "--objective", "mae", "--jobs", "2", "--out", out, "-q"]
    assert _run(capsys, *argv, "--trials", "2")[0] == 0
    code, out_text, _ = _run(capsys, *argv, "--trials", "4", "--resume")
    assert code == 0 and out_text.startswith("The best model")  # -q: no blank line first
    study = optuna.load_study(study_name="neurona", storage=f"sqlite:///{out / 'study.db'}")
    assert sum(t.state.name in ("COMPLETE", "PRUNED") for t in study.trials) == 4
    assert (out / "model.neurona").is_file()


def test_config_yaml_holds_the_best_trial_and_retrains_its_model(boston_study, tmp_path,
                                                                  capsys):
    """'rerun: neurona train config.yaml' trains the chosen trial's network again: the same
    layers, optimizer and schedule, and (same seed, same rows) the same weights."""
    import yaml

    from neurona.saving import load_model

    text = (boston_study / "config.yaml").read_text()
    summary = json.loads((boston_study / "summary.json").read_text())
    best = summary["best"]
    assert text.startswith(f"# the configuration of trial {best['trial']}, the best")
    config = yaml.safe_load(text)
    params = best["params"]
    assert [layer["units"] for layer in config["layers"]] == \
        [params[f"units_{i + 1}"] for i in range(params["layers"])]
    assert config["compile"]["learning_rate"] == pytest.approx(params["learning_rate"])
    assert config["compile"]["schedule"] == params["schedule"]
    assert config["task"] == "regression" and config["compile"]["loss"] == "mse"
    code, _, _ = _run(capsys, "train", boston_study / "config.yaml", "--out", tmp_path / "again",
                      "-q")
    assert code == 0
    tuned, again = (load_model(path) for path in (boston_study / "best_model.neurona",
                                                  tmp_path / "again" / "model.neurona"))
    assert [type(layer).__name__ for layer in again.layers] == \
        [type(layer).__name__ for layer in tuned.layers]
    for a, b in zip(tuned.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_cross_validation_is_in_the_plan_the_summary_and_keeps_trial_models(data_dir, tmp_path,
                                                                          capsys):
    out = tmp_path / "cv"
    code, text, _ = _run(capsys, "tune", data_dir / "boston_housing.csv", "--target", "medv",
                         "--trials", "2", "--epochs", "2", "--cv", "3", "--objective", "mae",
                         "--out", out, "-v")
    assert code == 0
    assert "3-fold CV on 404 rows (the 302 training and 102 validation rows)" in text
    assert json.loads((out / "summary.json").read_text())["cv"] == 3
    assert json.loads((out / "metrics.json").read_text())["cv"] == 3
    assert len(list((out / "trials").iterdir())) == 2


def test_quiet_off_a_terminal_prints_one_line_before_the_result(data_dir, tmp_path, capsys):
    code, text, _ = _run(capsys, "tune", data_dir / "boston_housing.csv", "--target", "medv",
                         "--trials", "2", "--epochs", "2", "--objective", "mae", "--out",
                         tmp_path / "study")
    assert code == 0
    lines = text.splitlines()
    assert lines[0].startswith("Tuning: 2 trials scored on 102 validation rows")
    assert "Tuning plan" not in text and "trial   0" not in text and "The best model" in text


@pytest.mark.slow
def test_resume_after_the_driver_is_killed_keeps_every_trial_and_its_model(data_dir, tmp_path):
    """SIGKILL of ``neurona tune`` while two trials run: the workers finish their trials into
    the study and write their model files themselves; --resume waits for them, adds no extra
    trial and keeps the best model."""
    import signal
    import subprocess
    import sys

    from ..helpers import trial_states, wait_for_states

    out = tmp_path / "study"
    argv = [sys.executable, "-m", "neurona", "tune", str(data_dir / "boston_housing.csv"),
            "--target", "medv", "--trials", "4", "--jobs", "2", "--epochs", "40", "--pruner",
            "none", "--objective", "mae", "--out", str(out), "-q"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    errors = tmp_path / "driver.err"
    with open(errors, "wb") as stream:  # a file, not a pipe: the orphans must not be awaited
        driver = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stream)
    running = wait_for_states(out / "study.db", lambda s: list(s.values()).count("RUNNING") == 2,
                              timeout=120)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    resumed = subprocess.run(argv + ["--resume"], env=env, capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    states = trial_states(out / "study.db")
    assert sorted(states.values()) == ["COMPLETE"] * 4, states
    for number, state in running.items():
        if state == "RUNNING":  # the orphaned trials completed, and kept their models
            assert (out / "trials" / f"trial_{number:04d}.neurona").is_file()
    assert (out / "model.neurona").is_file()
    assert "Traceback" not in errors.read_text()  # the orphaned workers ended quietly
