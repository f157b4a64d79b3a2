"""The tuner: search spaces, objectives, studies with local workers, robustness, results."""

import io
import json
import os
import sys
import time

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

import neurona as keras  # noqa: E402
from neurona import tuner  # noqa: E402
from neurona.tuner import SearchSpace, SearchSpaceError, Tuner, TunerError  # noqa: E402
from neurona.tuner.objectives import (parse_constraints, parse_objectives,  # noqa: E402
                                      validation_metrics)
from neurona.tuner.results import pareto_front  # noqa: E402

from ..helpers import kill_a_running_trial  # noqa: E402


def _data(n=320, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] - x[:, 2] * x[:, 3] > 0).astype("int64")
    return x, y


def build_model(hp):
    model = keras.Sequential([keras.layers.Input((4,))])
    for i in range(hp.Int("layers", 1, 2)):
        model.add(keras.layers.Dense(hp.Int(f"units_{i + 1}", 4, 32, sampling="log"),
                                     activation=hp.Choice("activation", ["relu", "tanh"])))
    model.add(keras.layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 5e-2, sampling="log")),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return model


def _states(study):
    counts = {}
    for trial in study.trials:
        counts[trial.state.name] = counts.get(trial.state.name, 0) + 1
    return counts


def _finished(study):
    return sum(t.state.name in ("COMPLETE", "PRUNED") for t in study.trials)


# -- search spaces -----------------------------------------------------------------------------
def test_space_conditional_parameters_follow_the_layer_count():
    space = SearchSpace({
        "layers": {"type": "int", "low": 1, "high": 3},
        "units": {"type": "int", "low": 8, "high": 64, "log": True, "per_layer": "layers"},
        "optimizer": ["adam", "sgd"],
        "momentum": {"type": "float", "low": 0.0, "high": 0.9, "when": {"optimizer": "sgd"}},
        "batch_size": 32,
    })
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    seen_layers, seen_momentum = set(), set()
    for _ in range(30):
        trial = study.ask()
        values = space.sample(tuner.HyperParameters(trial))
        assert len(values["units"]) == values["layers"]
        assert set(trial.params) >= {f"units_{i + 1}" for i in range(values["layers"])}
        assert not any(f"units_{i + 1}" in trial.params for i in range(values["layers"], 3))
        assert ("momentum" in values) == (values["optimizer"] == "sgd")
        assert values["batch_size"] == 32
        assert all(8 <= u <= 64 for u in values["units"])
        seen_layers.add(values["layers"])
        seen_momentum.add("momentum" in values)
        study.tell(trial, 0.0)
    assert seen_layers == {1, 2, 3} and seen_momentum == {True, False}


@pytest.mark.parametrize("spec, message", [
    ({"lr": {"type": "float", "low": 0.0, "high": 0.1, "log": True}}, "log scale needs low > 0"),
    ({"units": {"type": "int", "low": 64, "high": 8}}, "low 64 is above high 8"),
    ({"units": {"type": "int", "lo": 8, "high": 64}}, "did you mean 'low'"),
    ({"units": {"type": "integer", "low": 8, "high": 64}}, "did you mean 'int'"),
    ({"momentum": {"type": "float", "low": 0, "high": 1, "when": {"optimizer": "sgd"}}},
     "depends on 'optimizer', which is not declared before it"),
    ({"act": []}, "non-empty list"),
    ({}, "non-empty mapping"),
])
def test_space_errors_name_the_parameter_and_fix(spec, message):
    with pytest.raises(SearchSpaceError, match=message):
        SearchSpace(spec)


def test_space_from_yaml_and_grid(tmp_path):
    path = tmp_path / "space.yaml"
    path.write_text("space:\n  units: [8, 16]\n  activation: [relu, tanh, elu]\n"
                    "  batch_norm: {type: bool}\n  lr: {type: float, low: 0.01, high: 0.03, "
                    "step: 0.01}\n")
    space = SearchSpace.from_yaml(path)
    assert space.grid() == {"units": [8, 16], "activation": ["relu", "tanh", "elu"],
                            "batch_norm": [False, True], "lr": [0.01, 0.02, 0.03]}
    assert space.size() == 36
    bad = tmp_path / "bad.yaml"
    bad.write_text("units: !!python/object/apply:os.system [echo]\n")
    with pytest.raises(SearchSpaceError, match="invalid YAML"):
        SearchSpace.from_yaml(bad)
    laughs = tmp_path / "laughs.yaml"  # a "billion laughs" alias bomb, refused unexpanded
    laughs.write_text("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a]\n"
                      "units: [*b, *b, *b, *b, *b, *b]\n")
    with pytest.raises(SearchSpaceError, match="invalid YAML.*alias"):
        SearchSpace.from_yaml(laughs)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("activation: [relu]  # r\xe9seau\n".encode("latin-1"))
    with pytest.raises(SearchSpaceError, match="latin.yaml: the file is not UTF-8"):
        SearchSpace.from_yaml(latin)
    conditional = SearchSpace({"layers": [1, 2], "units": {"type": "int", "low": 1, "high": 4,
                                                           "per_layer": "layers"}})
    with pytest.raises(SearchSpaceError, match="grid search needs every parameter"):
        conditional.grid()


# -- objectives and metrics ----------------------------------------------------------------------
def test_objectives_have_their_direction_and_aliases():
    found = parse_objectives(["val_auc", "loss", "mae"])
    assert [(o.name, o.direction) for o in found] == [
        ("auc", "maximize"), ("val_loss", "minimize"), ("mae", "minimize")]
    with pytest.raises(TunerError, match="did you mean 'precision'"):
        parse_objectives("precison")
    with pytest.raises(TunerError, match="always minimized"):
        parse_objectives([("val_loss", "maximize")])
    constraint, = parse_constraints("precision>=0.8")
    assert (constraint.metric, constraint.op, constraint.bound) == ("precision", ">=", 0.8)
    assert constraint.violation({"precision": 0.9}) == pytest.approx(-0.1)
    assert constraint.violation({"precision": float("nan")}) == float("inf")
    with pytest.raises(TunerError, match="'metric >= number'"):
        parse_constraints("precision > 0.8")


def test_validation_metrics_equal_scikit_learn():
    metrics_mod = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    p = np.clip(y * 0.3 + rng.random(200) * 0.7, 0, 1)
    found = validation_metrics("binary", y, p[:, None], 0.5)
    pred = (p >= 0.5).astype(int)
    assert found["precision"] == pytest.approx(metrics_mod.precision_score(y, pred))
    assert found["recall"] == pytest.approx(metrics_mod.recall_score(y, pred))
    assert found["f1"] == pytest.approx(metrics_mod.f1_score(y, pred))
    assert found["accuracy"] == pytest.approx(metrics_mod.accuracy_score(y, pred))
    assert found["auc"] == pytest.approx(metrics_mod.roc_auc_score(y, p))
    assert found["pr_auc"] == pytest.approx(metrics_mod.average_precision_score(y, p))
    labels = rng.integers(0, 3, 150)
    probs = rng.dirichlet([1, 1, 1], 150)
    multi = validation_metrics("multiclass", labels, probs, 1.0)
    assert multi["f1"] == pytest.approx(metrics_mod.f1_score(labels, probs.argmax(1),
                                                             average="macro"))
    assert multi["auc"] == pytest.approx(metrics_mod.roc_auc_score(labels, probs,
                                                                   multi_class="ovr"))
    target = rng.normal(size=100) + 5
    guess = target + rng.normal(size=100) * 0.3
    reg = validation_metrics("regression", target, guess[:, None], 0.1)
    assert reg["mae"] == pytest.approx(metrics_mod.mean_absolute_error(target, guess))
    assert reg["r2"] == pytest.approx(metrics_mod.r2_score(target, guess))
    assert reg["rmse"] == pytest.approx(np.sqrt(metrics_mod.mean_squared_error(target, guess)))


# -- bad setups are refused before any trial --------------------------------------------------
def test_bad_setups_fail_before_the_first_trial(tmp_path):
    x, y = _data()

    def always_broken(hp):
        raise KeyError("units")

    with pytest.raises(TunerError, match="failed for 5 random draws; the last error: KeyError"):
        Tuner(always_broken, directory=tmp_path / "a", verbose=0).search(
            x, y, validation_split=0.25)
    with pytest.raises(TunerError, match="did you mean 'tpe'"):
        Tuner(build_model, sampler="tep", directory=tmp_path / "a")
    with pytest.raises(TunerError, match="needs space="):
        Tuner(build_model, sampler="grid", directory=tmp_path / "a")
    with pytest.raises(TunerError, match="n_jobs must be an integer >= 1"):
        Tuner(build_model, n_jobs=0, directory=tmp_path / "a")
    with pytest.raises(TunerError, match="'mae' is not measured for a binary task"):
        Tuner(build_model, objective="mae", directory=tmp_path / "a", verbose=0).search(
            x, y, validation_split=0.25)
    with pytest.raises(TunerError, match="validation_data=.*or validation_split"):
        Tuner(build_model, directory=tmp_path / "a", verbose=0).search(x, y)
    assert not (tmp_path / "a").exists()  # nothing was started
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(TunerError, match="exists and is not empty"):
        Tuner(build_model, directory=busy, verbose=0).search(x, y, validation_split=0.25)
    assert (busy / "keep.txt").read_text() == "mine"


# -- studies ----------------------------------------------------------------------------------
@pytest.mark.slow
def test_twenty_trials_with_two_workers_finish_exactly(tmp_path, capsys):
    x, y = _data()
    tuned = Tuner(build_model, objective="auc", n_trials=20, n_jobs=2, directory=tmp_path / "t",
                  seed=0).search(x, y, validation_split=0.25, epochs=4)
    assert _finished(tuned.study) == 20
    assert _states(tuned.study).get("FAIL", 0) == 0
    pids = {t.user_attrs["pid"] for t in tuned.study.trials}
    assert len(pids) == 2 and os.getpid() not in pids  # two worker processes did the work
    board = tuned.leaderboard()
    assert len(board) == 20 and board["state"].iloc[0] == "COMPLETE"
    done = board[board["state"] == "COMPLETE"]
    assert list(done["objective:auc"]) == sorted(done["objective:auc"], reverse=True)
    assert {"accuracy", "precision", "recall", "f1", "auc", "pr_auc", "val_loss",
            "param:lr", "duration_s", "epochs"} <= set(board.columns)
    best = tuned.best_trial
    assert best.values[0] == done["objective:auc"].max()
    model = tuned.best_model()  # the trained model of that trial, from its file
    x_val, y_val = x[240:], y[240:]
    from neurona.evaluation import roc_auc_score
    assert roc_auc_score(y_val, model.predict(x_val, verbose=0)[:, 0]) == \
        pytest.approx(best.values[0], abs=1e-6)
    folder = tmp_path / "t"
    for name in ("leaderboard.csv", "summary.json", "best_model.neurona", "study.db",
                 "optimization_history.png", "param_importances.png"):
        assert (folder / name).is_file(), name
    out = capsys.readouterr().out
    assert "Tuning plan: 20 trials on 2 local worker processes, each up to 4 epochs" in out
    assert "at most 80 epochs in all" in out and "objective: auc (maximize)" in out


@pytest.mark.slow
def test_same_seed_and_one_worker_repeat_the_trials(tmp_path):
    x, y = _data()
    runs = []
    for name in ("a", "b"):
        tuned = Tuner(build_model, objective="val_loss", n_trials=6, n_jobs=1, seed=7,
                      pruner="none", directory=tmp_path / name, verbose=0)
        tuned.search(x, y, validation_split=0.25, epochs=2)
        runs.append([(t.params, t.values) for t in tuned.study.trials])
    assert runs[0] == runs[1]
    assert len({str(p) for p, _ in runs[0]}) == 6  # and the trials differ from each other


@pytest.mark.slow
def test_failed_and_diverged_trials_are_recorded_and_replaced(tmp_path):
    x, y = _data()

    def fragile(hp):
        kind = hp.Choice("kind", ["good", "raises", "diverges"])
        if kind == "raises":
            raise RuntimeError("no model for this one")
        model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(8),
                                  keras.layers.Dense(1)])
        rate = 1e4 if kind == "diverges" else 1e-3
        model.compile(optimizer=keras.optimizers.SGD(rate), loss="mse")
        return model

    tuned = Tuner(fragile, objective="val_loss", n_trials=6, n_jobs=2, sampler="random",
                  directory=tmp_path / "f", verbose=0, max_failures=50)
    tuned.search(x, y.astype("float32") * 10, validation_split=0.25, epochs=30)
    assert _finished(tuned.study) == 6
    failed = [t for t in tuned.study.trials if t.state.name == "FAIL"]
    reasons = {t.params["kind"]: t.user_attrs["reason"] for t in failed}
    assert reasons["raises"] == "RuntimeError: no model for this one"
    assert reasons["diverges"].startswith("diverged: the training loss became")
    assert all(t.params["kind"] == "good" for t in tuned.study.trials
               if t.state.name == "COMPLETE")


def test_too_many_failures_stop_the_study_with_the_reason(tmp_path):
    x, y = _data()

    def fine_once(hp, calls=[]):  # noqa: B006 - the probe's build passes, every trial's fails
        calls.append(1)
        if len(calls) > 1:
            hp.Int("units", 1, 4)
            raise ValueError("the build function is broken")
        return build_model(hp)

    with pytest.raises(TunerError, match="3 trials failed .*the build function is broken"):
        Tuner(fine_once, n_trials=5, max_failures=3, directory=tmp_path / "b",
              verbose=0).search(x, y, validation_split=0.25, epochs=1)


@pytest.mark.slow
def test_a_worker_killed_mid_trial_does_not_stop_the_study(tmp_path):
    x, y = _data()

    def slow(hp):
        time.sleep(0.4)  # a window to kill the worker in
        return build_model(hp)

    folder = tmp_path / "k"
    thread, killed = kill_a_running_trial(folder / "study.db", 2, timeout=60)
    tuned = Tuner(slow, objective="auc", n_trials=8, n_jobs=2, directory=folder, verbose=0)
    tuned.search(x, y, validation_split=0.25, epochs=2)
    thread.join()
    assert killed, "no worker was killed"
    victim = tuned.study.trials[killed[0]]
    assert victim.state.name == "FAIL"
    assert "killed by SIGKILL" in victim.user_attrs["reason"]
    assert _finished(tuned.study) == 8
    assert not [t for t in tuned.study.trials if t.state.name == "RUNNING"]


@pytest.mark.slow
def test_pruning_stops_bad_trials_early(tmp_path):
    x, y = _data(600)

    def rates(hp):
        model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(16,
                                  activation="tanh"), keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-6, 3e-2, sampling="log")),
                      loss="binary_crossentropy")
        return model

    tuned = Tuner(rates, objective="val_loss", n_trials=16, n_jobs=2, sampler="random",
                  pruner="median", directory=tmp_path / "p", verbose=0, seed=3)
    tuned.search(x, y, validation_split=0.25, epochs=12)
    pruned = [t for t in tuned.study.trials if t.state.name == "PRUNED"]
    assert pruned, "no trial was pruned"
    for trial in pruned:
        assert max(trial.intermediate_values) < 11  # stopped before the last epoch
        assert trial.user_attrs["reason"].startswith("pruned after epoch")
    complete = [t for t in tuned.study.trials if t.state.name == "COMPLETE"]
    # the pruned trials are the slow learners: their rates sit below the median completed one
    assert np.median([t.params["lr"] for t in pruned]) < \
        np.median([t.params["lr"] for t in complete])


@pytest.mark.slow
def test_resume_continues_the_study(tmp_path):
    x, y = _data()
    folder = tmp_path / "r"
    Tuner(build_model, objective="auc", n_trials=4, n_jobs=2, directory=folder,
          verbose=0).search(x, y, validation_split=0.25, epochs=2)
    with pytest.raises(TunerError, match="pass resume=True"):
        Tuner(build_model, objective="auc", n_trials=6, directory=folder, verbose=0).search(
            x, y, validation_split=0.25, epochs=2)
    with pytest.raises(TunerError, match="optimizes \\['auc'\\], not \\['f1'\\]"):
        Tuner(build_model, objective="f1", n_trials=6, directory=folder, resume=True,
              verbose=0).search(x, y, validation_split=0.25, epochs=2)
    resumed = Tuner(build_model, objective="auc", n_trials=7, n_jobs=2, directory=folder,
                    resume=True, verbose=0).search(x, y, validation_split=0.25, epochs=2)
    assert _finished(resumed.study) == 7
    assert sorted(t.user_attrs["token"] for t in resumed.study.trials) == list(range(7))
    with pytest.raises(TunerError, match="no study named 'other'"):
        Tuner(build_model, n_trials=2, directory=folder, resume=True, study_name="other",
              verbose=0).search(x, y, validation_split=0.25)


def test_default_folders_are_unique_and_claimed_by_the_search(tmp_path, monkeypatch):
    import re

    monkeypatch.chdir(tmp_path)
    first, second = (Tuner(build_model, n_trials=1, verbose=0) for _ in range(2))
    assert first.directory != second.directory  # the same second, another random suffix
    for tuned in (first, second):
        name = os.path.relpath(tuned.directory, tmp_path)
        assert re.fullmatch(r"runs/tune-\d{8}-\d{6}-[0-9a-f]{6}", name), name
    os.makedirs(second.directory)  # another search won this name first
    x, y = _data(40)
    with pytest.raises(TunerError, match="was just created by another search"):
        second.search(x, y, validation_split=0.25, epochs=1)


@pytest.mark.slow
def test_best_models_whose_files_are_gone_are_trained_again(tmp_path):
    x, y = _data(200)
    tuned = Tuner(build_model, objective="auc", n_trials=3, directory=tmp_path / "g",
                  pruner="none", verbose=0).search(x, y, validation_split=0.25, epochs=2)
    kept = tuned.get_best_models(2)
    second = tuned.leaderboard()["trial"].iloc[1]
    os.remove(tmp_path / "g" / "trials" / f"trial_{second:04d}.neurona")
    again = tuned.get_best_models(2)
    assert len(kept) == len(again) == 2
    for old, new in zip(kept, again):  # the same parameters, seed and rows: the same model
        np.testing.assert_allclose(new.predict(x, verbose=0), old.predict(x, verbose=0),
                                   rtol=1e-4, atol=1e-6)


def _orphan(study, pid, identity):
    """A trial left RUNNING by a driver of this machine that is gone, its worker ``pid``."""
    import socket

    trial = study.ask()
    for key, value in (("token", 90 + trial.number), ("host", socket.gethostname()),
                       ("pid", pid), ("pid_identity", identity)):
        trial.set_user_attr(key, value)
    return trial.number


@pytest.mark.slow
def test_resume_waits_for_live_orphans_and_fails_only_those_whose_worker_is_gone(tmp_path):
    import subprocess

    from neurona.processes import process_identity

    x, y = _data()
    folder = tmp_path / "o"
    Tuner(build_model, objective="auc", n_trials=2, directory=folder, verbose=0).search(
        x, y, validation_split=0.25, epochs=2)
    url = f"sqlite:///{folder / 'study.db'}"
    study = optuna.load_study(study_name="neurona", storage=url)
    ended = subprocess.Popen([sys.executable, "-c", "pass"])
    ended.wait()
    gone = _orphan(study, ended.pid, None)
    reused = _orphan(study, os.getpid(), "not-my-start-time")  # the pid now names another
    number = study.trials[-1].number + 1
    worker = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, optuna; time.sleep(2); optuna.load_study(study_name='neurona', "
        f"storage={url!r}).tell({number}, 0.75)")])
    assert _orphan(study, worker.pid, process_identity(worker.pid)) == number
    resumed = Tuner(build_model, objective="auc", n_trials=4, directory=folder, resume=True,
                    verbose=0).search(x, y, validation_split=0.25, epochs=2)
    worker.wait()
    trials = resumed.study.trials
    assert trials[number].state.name == "COMPLETE" and trials[number].value == 0.75
    for orphan in (gone, reused):
        assert trials[orphan].state.name == "FAIL"
        assert trials[orphan].user_attrs["reason"].startswith("interrupted")
    assert _finished(resumed.study) == 4  # 2 + the orphan that lived + 1 new, not 5


@pytest.mark.slow
def test_several_objectives_give_a_pareto_front_and_constraints_choose(tmp_path):
    x, y = _data(400)
    tuned = Tuner(build_model, objective=["recall", "precision"], n_trials=10, n_jobs=2,
                  constraints=["precision >= 0.6"], directory=tmp_path / "m", verbose=0)
    tuned.search(x, y, validation_split=0.25, epochs=3)
    assert tuned.pruner == "none"
    front = tuned.pareto_front()
    done = [t for t in tuned.study.trials if t.state.name == "COMPLETE"]
    for member in front:  # nothing completed beats a front member on both objectives
        assert member.user_attrs["metrics"]["precision"] >= 0.6
        assert not any(o.values[0] >= member.values[0] and o.values[1] >= member.values[1]
                       and o.values != member.values for o in done
                       if o.user_attrs["metrics"]["precision"] >= 0.6)
    best = tuned.best_trial
    feasible = [t for t in done if t.user_attrs["metrics"]["precision"] >= 0.6]
    assert best.values[0] == max(t.values[0] for t in feasible)
    assert (tmp_path / "m" / "pareto_front.png").is_file()
    assert pareto_front(tuned.study, []) == tuned.study.best_trials


def test_grid_search_visits_every_point(tmp_path):
    x, y = _data()
    space = SearchSpace({"units": [4, 8], "activation": ["relu", "tanh"]})

    def from_space(hp):
        values = space.sample(hp)
        model = keras.Sequential([keras.layers.Input((4,)), keras.layers.Dense(
            values["units"], activation=values["activation"]),
            keras.layers.Dense(1, activation="sigmoid")])
        model.compile(optimizer="adam", loss="binary_crossentropy")
        return model

    tuned = Tuner(from_space, objective="auc", n_trials=4, n_jobs=2, sampler="grid",
                  space=space, pruner="none", directory=tmp_path / "g", verbose=0)
    tuned.search(x, y, validation_split=0.25, epochs=1)
    visited = sorted((t.params["units"], t.params["activation"]) for t in tuned.study.trials)
    assert visited == [(4, "relu"), (4, "tanh"), (8, "relu"), (8, "tanh")]
    with pytest.raises(TunerError, match="the grid has 4 points"):
        Tuner(from_space, n_trials=5, sampler="grid", space=space, directory=tmp_path / "h")


def test_storage_urls_never_show_passwords():
    assert tuner.redact("postgresql://me:s3cret@db:5432/x and mysql://a:b@c/d") == \
        "postgresql://me:***@db:5432/x and mysql://a:***@c/d"
    with pytest.raises(TunerError) as err:
        tuner.storage.open_storage("postgresql://me:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(err.value) and "me:***@127.0.0.1" in str(err.value)
    with pytest.raises(TunerError, match="scheme 'redis' is not supported"):
        tuner.storage.open_storage("redis://localhost")


def test_the_study_is_readable_by_optuna_dashboard(tmp_path):
    dashboard = pytest.importorskip("optuna_dashboard")
    x, y = _data()
    Tuner(build_model, objective="auc", n_trials=2, directory=tmp_path / "d",
          verbose=0).search(x, y, validation_split=0.25, epochs=1)
    app = dashboard.wsgi(tuner.storage.sqlite_url(tmp_path / "d" / "study.db"))

    def get(path, query=""):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"] = status

        body = b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": path,
                             "SERVER_NAME": "localhost", "SERVER_PORT": "80",
                             "wsgi.url_scheme": "http", "QUERY_STRING": query,
                             "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr},
                            start_response))
        assert answer["status"].startswith("200"), (path, answer["status"])
        return json.loads(body)

    summaries = get("/api/studies")["study_summaries"]
    assert [s["study_name"] for s in summaries] == ["neurona"]
    detail = get(f"/api/studies/{summaries[0]['study_id']}", "after=0")
    assert [t["state"] for t in detail["trials"]] == ["Complete", "Complete"]


@pytest.mark.slow
def test_cross_validated_trials_score_the_folds_mean(tmp_path):
    from neurona.data import k_fold_indices

    x, y = _data(300)
    tuned = Tuner(build_model, objective="auc", n_trials=3, n_jobs=2, pruner="none",
                  directory=tmp_path / "cv", verbose=0, seed=0)
    tuned.search(x[:200], y[:200], validation_data=(x[200:], y[200:]), epochs=2, cv=3)
    trial = tuned.best_trial
    # the same three fits by hand: the trial's score is their mean AUC
    from neurona.evaluation import roc_auc_score
    from optuna.trial import FixedTrial
    aucs = []
    for train, val in k_fold_indices(300, 3, stratify=y, seed=0):
        keras.utils.set_random_seed(0)
        model = build_model(tuner.HyperParameters(FixedTrial(trial.params)))
        model.fit(x[train], y[train], validation_data=(x[val], y[val]), epochs=2,
                  batch_size=32, verbose=0, seed=0)
        aucs.append(roc_auc_score(y[val], model.predict(x[val], verbose=0)[:, 0]))
    assert trial.values[0] == pytest.approx(np.mean(aucs), abs=1e-9)
    # every completed trial keeps a model: its parameters trained once on the training rows
    kept = sorted(p.name for p in (tmp_path / "cv" / "trials").iterdir())
    assert kept == [f"trial_{t.number:04d}.neurona" for t in tuned.study.trials
                    if t.state.name == "COMPLETE"]
    keras.utils.set_random_seed(0)
    by_hand = build_model(tuner.HyperParameters(FixedTrial(trial.params)))
    by_hand.fit(x[:200], y[:200], validation_data=(x[200:], y[200:]), epochs=2, batch_size=32,
                verbose=0, seed=0)
    best = tuned.best_model()
    np.testing.assert_array_equal(best.predict(x, verbose=0), by_hand.predict(x, verbose=0))
    assert (tmp_path / "cv" / "best_model.neurona").is_file()
    summary = json.loads((tmp_path / "cv" / "summary.json").read_text())
    assert summary["cv"] == 3


@pytest.mark.parametrize("n, split", [(100, 0.29), (10, 0.25), (7, 0.25), (1000, 0.15)])
def test_search_holds_out_the_rows_fit_holds_out(n, split):
    # one rule (Keras's): round(n * split) differed from fit for 10 rows at 0.25 (2 against 3)
    from neurona.models.arrays import validation_count

    x, y = np.arange(n * 2, dtype=float).reshape(n, 2), np.arange(n) % 2
    tuner = Tuner(lambda hp: None, objective="val_loss", n_trials=1)
    x_train, _, (x_val, _) = tuner._split(x, y, None, split)
    assert len(x_val) == validation_count(n, split) and len(x_train) + len(x_val) == n
    np.testing.assert_array_equal(x_val, x[len(x_train):])
