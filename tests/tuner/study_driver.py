"""A tuner driver run as its own process by the fault tests, so that they can kill it, its
fork server and its workers: ``python study_driver.py FOLDER TRIALS JOBS [--resume]``.

Each trial sleeps a little before it builds its model, a window in which the tests' signals
land mid-trial.
"""

import sys
import time

import numpy as np

import neurona as keras
from neurona.tuner import Tuner


def build_model(hp):
    time.sleep(0.3)
    model = keras.Sequential([keras.layers.Input((4,)),
                              keras.layers.Dense(hp.Int("units", 4, 16), activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(hp.Float("lr", 1e-3, 3e-2, sampling="log")),
                  loss="binary_crossentropy")
    return model


def main(folder, trials, jobs, resume):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(240, 4)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("int64")
    Tuner(build_model, objective="val_loss", n_trials=trials, n_jobs=jobs, pruner="none",
          directory=folder, resume=resume, verbose=0).search(
        x, y, validation_split=0.25, epochs=3)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), "--resume" in sys.argv[4:])
