"""The tuner on shared infrastructure: a real PostgreSQL server as the study storage, and a
real local Ray cluster running the trials (with one Ray worker killed mid-trial)."""

import os
import time

import numpy as np
import pytest

optuna = pytest.importorskip("optuna")

import neurona as keras  # noqa: E402
from neurona.tuner import Tuner  # noqa: E402
from neurona.tuner.storage import open_storage  # noqa: E402

from ..helpers import kill_a_running_trial  # noqa: E402

POSTGRES_URL = os.environ.get("NEURONA_TEST_POSTGRES_URL")


def _data(n=320):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 4)).astype("float32")
    return x, (x[:, 0] - x[:, 1] * x[:, 2] > 0).astype("int64")


def build_model(hp):
    model = keras.Sequential([keras.layers.Input((4,)),
                              keras.layers.Dense(hp.Int("units", 4, 32, sampling="log"),
                                                 activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 3e-2, sampling="log")),
                  loss="binary_crossentropy")
    return model


def _finished(study):
    return sum(t.state.name in ("COMPLETE", "PRUNED") for t in study.trials)


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None and os.environ.get("CI") != "true",
                    reason="no PostgreSQL server (.ci/run starts one)")
def test_two_workers_share_a_postgresql_study(tmp_path, capsys):
    assert POSTGRES_URL, "CI must provide NEURONA_TEST_POSTGRES_URL (.ci/run starts PostgreSQL)"
    password = POSTGRES_URL.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    name = f"shared-{os.getpid()}-{time.time_ns()}"
    x, y = _data()
    tuned = Tuner(build_model, objective="auc", n_trials=8, n_jobs=2, storage=POSTGRES_URL,
                  study_name=name, directory=tmp_path / "pg", seed=0)
    tuned.search(x, y, validation_split=0.25, epochs=3)
    # a second process (another machine, in real use) sees the same study in the server
    storage = open_storage(POSTGRES_URL)
    study = optuna.load_study(study_name=name, storage=storage)
    assert _finished(study) == 8
    assert len({t.user_attrs["pid"] for t in study.trials}) == 2
    # a second driver continues the shared study
    Tuner(build_model, objective="auc", n_trials=10, n_jobs=2, storage=POSTGRES_URL,
          study_name=name, directory=tmp_path / "pg2", resume=True).search(
        x, y, validation_split=0.25, epochs=3)
    assert _finished(optuna.load_study(study_name=name, storage=storage)) == 10
    storage.engine.dispose()
    tuned.close()
    printed = capsys.readouterr()
    assert password not in printed.out + printed.err
    assert "storage: postgresql://neurona:***@127.0.0.1" in printed.out
    for folder in ("pg", "pg2"):
        for path in (tmp_path / folder).rglob("*"):
            if path.is_file() and path.suffix in (".json", ".csv"):
                assert password not in path.read_text(), path


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             object_store_memory=200 * 1024 * 1024)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_trials_run_as_ray_tasks_and_survive_a_killed_worker(tmp_path, ray_cluster):
    folder = tmp_path / "ray"

    def slow(hp):
        time.sleep(0.5)  # a window to kill the Ray worker in
        return build_model(hp)

    thread, killed = kill_a_running_trial(folder / "study.db", 1, timeout=120)
    x, y = _data()
    tuned = Tuner(slow, objective="auc", n_trials=6, executor="ray", directory=folder,
                  verbose=0)
    tuned.search(x, y, validation_split=0.25, epochs=2)
    thread.join()
    assert tuned.n_jobs == 2  # the cluster's two CPUs
    assert killed, "no Ray worker was killed"
    victim = tuned.study.trials[killed[0]]
    assert victim.state.name == "FAIL"
    assert "Ray task ended without a result" in victim.user_attrs["reason"]
    assert _finished(tuned.study) == 6
    ray_pids = {t.user_attrs["pid"] for t in tuned.study.trials}
    assert os.getpid() not in ray_pids
    assert tuned.best_model().predict(x[:3], verbose=0).shape == (3, 1)
