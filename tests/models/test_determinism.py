"""Same seed, same result, bit for bit: in this process and in a fresh subprocess."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np

SCRIPT = textwrap.dedent("""
    import json, sys
    import numpy as np
    import neurona as keras
    from neurona import layers

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 5)).astype("float32")
    y = (x[:, :1] * 2 - x[:, 1:2]).astype("float32")
    keras.utils.set_random_seed(11)
    model = keras.Sequential([layers.Dense(16, activation="relu", input_shape=[5]),
                              layers.Dropout(0.2), layers.BatchNormalization(), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    history = model.fit(x, y, epochs=3, batch_size=8, validation_split=0.25, verbose=0, seed=4)
    print(json.dumps({"history": history.history,
                      "weights": [w.tobytes().hex() for w in model.get_weights()]}))
""")


def test_fresh_subprocess_and_this_process_agree_bitwise():
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    runs = [subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                           timeout=120) for _ in range(2)]
    for run in runs:
        assert run.returncode == 0, run.stderr
    results = [json.loads(run.stdout) for run in runs]
    namespace = {}
    from contextlib import redirect_stdout
    from io import StringIO

    buffer = StringIO()
    with redirect_stdout(buffer):
        exec(compile(SCRIPT, "<determinism>", "exec"), namespace)
    results.append(json.loads(buffer.getvalue()))
    assert results[0] == results[1] == results[2]
    assert len(results[0]["history"]["val_mae"]) == 3
    assert np.isfinite(results[0]["history"]["loss"]).all()
