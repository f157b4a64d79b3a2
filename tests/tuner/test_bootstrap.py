"""``Tuner.search`` from a plain script (no ``if __name__ == "__main__":``): it works, with one
tuning folder; without cloudpickle it fails before anything is made, saying what to add."""

import ast
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("optuna")

from neurona.tuner import bootstrap  # noqa: E402

SCRIPT = """
import numpy as np
import neurona as keras
from neurona import layers
from neurona.tuner import Tuner

def build_model(hp):
    model = keras.Sequential([layers.Input((4,))])
    for i in range(hp.Int("layers", 1, 2)):
        model.add(layers.Dense(hp.Int(f"units_{i + 1}", 4, 16), activation="relu"))
    model.add(layers.Dense(1, activation="sigmoid"))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model

x = np.random.default_rng(0).normal(size=(200, 4))
y = (x[:, 0] > 0).astype("int64")
tuner = Tuner(build_model, objective="auc", n_trials=3, n_jobs=2, verbose=0)
tuner.search(x, y, validation_split=0.25, epochs=2)
print("finished", len(tuner.leaderboard()), "trials")
"""


def _run_script(folder, text):
    path = folder / "script.py"
    path.write_text(text)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    return subprocess.run([sys.executable, str(path)], cwd=folder, capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.mark.slow
def test_a_plain_script_runs_its_search_with_one_folder(tmp_path):
    done = _run_script(tmp_path, SCRIPT)
    assert done.returncode == 0, done.stderr
    assert "finished 3 trials" in done.stdout and "bootstrapping" not in done.stderr
    folders = os.listdir(tmp_path / "runs")
    assert len(folders) == 1 and folders[0].startswith("tune-")
    assert {"study.db", "best_model.neurona", "summary.json"} <= \
        set(os.listdir(tmp_path / "runs" / folders[0]))


def test_without_cloudpickle_it_fails_first_with_what_to_add(tmp_path):
    done = _run_script(tmp_path, "import sys\nsys.modules['cloudpickle'] = None\n" + SCRIPT)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert 'put its code under  if __name__ == "__main__":' in last
    assert sorted(os.listdir(tmp_path)) == ["script.py"]  # no folder, half-made or not


@pytest.mark.parametrize("code, guarded", [
    ('if __name__ == "__main__":\n    pass', True),
    ('if "__main__" == __name__:\n    pass', True),
    ('if __name__ != "__main__":\n    pass', False),
    ("if True:\n    pass", False),
    ("run()", False),
])
def test_the_main_guard_is_recognized(code, guarded):
    assert bootstrap._is_main_guard(ast.parse(textwrap.dedent(code)).body[0]) is guarded


def test_under_pytest_the_caller_is_no_plain_script():
    assert bootstrap.unguarded_script() is False
    assert bootstrap.check_script("local") is False


def test_the_script_is_hidden_only_inside_the_block():
    main = sys.modules["__main__"]
    before = (getattr(main, "__file__", None), main.__spec__)
    with bootstrap.script_not_rerun():
        assert getattr(main, "__file__", None) is None and main.__spec__ is None
    assert (getattr(main, "__file__", None), main.__spec__) == before
