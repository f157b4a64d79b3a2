"""One trial, as a worker runs it: draw the parameters, build, train (reporting each epoch for
pruning), measure on the validation data, and record the outcome in the study's storage.

Everything here runs inside a worker process (a local one or a Ray task), so it takes only
picklable inputs: the :class:`Job` (model and data) and the :class:`Settings` (study name,
storage URL, algorithm names, seed). The study records the outcome itself. A worker that sees
the study's folder writes the trial's model file there itself, before it reports the trial, so
the file survives a driver killed meanwhile; a worker on another machine sends the file's bytes
back to the driver instead.
"""

import copy
import math
import os
import socket
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ..callbacks import Callback
from ..models import doctor
from ..tempfiles import temporary_directory
from .objectives import TunerError, task_of, validation_metrics
from ..processes import process_identity
from .space import HyperParameters

__all__ = ["HyperModel", "Job", "Settings", "run_trial", "as_hypermodel", "trial_model_path"]


class HyperModel:
    """A family of models: :meth:`build` makes one from ``hp``; :meth:`fit` trains it.

    Subclass it to tune training arguments too (KerasTuner's convention)::

        class MyModel(HyperModel):
            def build(self, hp): ...
            def fit(self, hp, model, x, y, **kwargs):
                return model.fit(x, y, batch_size=hp.Choice("batch_size", [32, 64]), **kwargs)
    """

    def build(self, hp):
        """Return a compiled model for the values drawn through ``hp``."""
        raise TypeError(f"{type(self).__name__} must define build(self, hp)")

    def fit(self, hp, model, x, y, **kwargs):
        """Train ``model``; returns its History."""
        return model.fit(x, y, **kwargs)


class _FunctionHyperModel(HyperModel):
    def __init__(self, build_fn):
        self.build_fn = build_fn

    def build(self, hp):
        return self.build_fn(hp)


def as_hypermodel(hypermodel):
    """A HyperModel from one, or from a ``build_model(hp)`` function."""
    if isinstance(hypermodel, HyperModel) or (hasattr(hypermodel, "build")
                                              and hasattr(hypermodel, "fit")):
        return hypermodel
    if callable(hypermodel):
        return _FunctionHyperModel(hypermodel)
    raise TunerError(f"hypermodel must be a function build_model(hp) returning a compiled model, "
                     f"or a HyperModel; got {type(hypermodel).__name__}")


@dataclass
class Job:
    """The model family and the data of a study (sent to every worker once)."""

    hypermodel: HyperModel      # see as_hypermodel
    x: object
    y: object
    validation_data: tuple
    fit_kwargs: dict = field(default_factory=dict)
    folds: list = None          # cross-validation: [(train_index, val_index)] over x + x_val


@dataclass
class Settings:
    """Small, picklable facts each worker needs to open the study and run a trial."""

    study_name: str
    storage_url: str
    objectives: list            # [Objective]
    constraints: list           # [Constraint]
    sampler: str = "tpe"
    pruner: str = "median"
    seed: int = 0
    grid: dict = None           # the search space of a grid sampler
    trials_dir: str = None      # the study folder's trials/: where model files are kept


def trial_model_path(trials_dir, number):
    """Where the model file of trial ``number`` is kept in a study's ``trials`` folder."""
    return os.path.join(trials_dir, f"trial_{number:04d}.neurona")


class Diverged(Exception):
    """Training produced NaN or infinity (the trial fails with this reason)."""


class TrialPruned(Exception):
    """The pruner stopped the trial (carries the reason)."""


# -- the study, as a worker opens it ---------------------------------------------------------
_STORAGES = {}


def _storage(url):
    from .storage import open_storage

    if url not in _STORAGES:  # one engine per process and URL
        _STORAGES[url] = open_storage(url)
    return _STORAGES[url]


def make_sampler(settings, token):
    """The Optuna sampler, seeded per trial (``seed + token``) so that one worker replays the
    same sequence of trials and concurrent workers draw different ones."""
    import optuna

    seed = None if settings.seed is None else settings.seed + int(token)
    constraints_func = _constraints_func(settings.constraints) if settings.constraints else None
    with warnings.catch_warnings():  # constraints_func is flagged experimental by Optuna
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        if settings.sampler == "tpe":
            return optuna.samplers.TPESampler(seed=seed, constraints_func=constraints_func)
        if settings.sampler == "random":
            return optuna.samplers.RandomSampler(seed=seed)
        if settings.sampler == "grid":
            return optuna.samplers.GridSampler(settings.grid, seed=seed)
        if settings.sampler == "nsga2":
            return optuna.samplers.NSGAIISampler(seed=seed, constraints_func=constraints_func)
    raise TunerError(f"unknown sampler {settings.sampler!r}")


def _constraints_func(constraints):
    def violations(frozen):
        metrics = frozen.user_attrs.get("metrics", {})
        return [min(c.violation(metrics), 1e300) for c in constraints]
    return violations


def make_pruner(name):
    """The Optuna pruner by name: median, asha (successive halving), hyperband, none."""
    import optuna

    if name == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=2)
    if name == "asha":
        return optuna.pruners.SuccessiveHalvingPruner()
    if name == "hyperband":
        return optuna.pruners.HyperbandPruner()
    if name == "none":
        return optuna.pruners.NopPruner()
    raise TunerError(f"unknown pruner {name!r}")


# -- training with per-epoch reports ---------------------------------------------------------
class _EpochReporter(Callback):
    """Checks each epoch's loss for NaN and, when pruning, reports the first objective to the
    trial and stops training once the pruner says so."""

    def __init__(self, trial, objective, task, validation_data, prune):
        super().__init__()
        self.trial, self.objective, self.task = trial, objective, task
        self.x_val, self.y_val = validation_data
        self.prune = prune
        self.pruned = None
        self.diverged = None
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        self.epochs = epoch + 1
        loss = logs.get("loss")
        if loss is not None and not math.isfinite(loss):
            self.diverged = f"diverged: the training loss became {loss} in epoch {epoch + 1}"
            self.model.stop_training = True
            return
        if not self.prune:
            return
        value = self._objective_value(logs)
        if not math.isfinite(value):
            return
        self.trial.report(value, epoch)
        if self.trial.should_prune():
            self.pruned = (f"pruned after epoch {epoch + 1}: {self.objective.name} "
                           f"{value:.4g} trails the other trials")
            self.model.stop_training = True

    def _objective_value(self, logs):
        if self.objective.name == "val_loss" and "val_loss" in logs:
            return float(logs["val_loss"])
        outputs = self.model.predict(self.x_val, verbose=0)
        return validation_metrics(self.task, self.y_val, outputs,
                                  logs.get("val_loss", math.nan))[self.objective.name]


def _model_bytes(model):
    """The model file's bytes (None if the model cannot be saved, e.g. a custom layer that
    is not registered)."""
    from ..saving import save_model

    with temporary_directory(prefix="neurona-trial-") as folder:
        path = os.path.join(folder, "model.neurona")
        try:
            save_model(model, path)
        except (TypeError, ValueError):
            return None
        with open(path, "rb") as stream:
            return stream.read()


def _keep_model(model, settings, number, outcome):
    """Write the trial's model file into the study folder (atomically: a kill mid-write
    leaves no half file) when this worker sees that folder; otherwise put the file's bytes in
    ``outcome`` for the driver to write. A model that cannot be saved leaves neither: the
    tuner trains it again from its parameters when it is asked for."""
    from ..saving import save_model

    if settings.trials_dir and os.path.isdir(settings.trials_dir):
        path = trial_model_path(settings.trials_dir, number)
        try:
            save_model(model, path)
        except (TypeError, ValueError):
            return
        except OSError:  # the folder is not writable from here: the driver writes the bytes
            pass
        else:
            outcome["model_file"] = path
            return
    outcome["model"] = _model_bytes(model)


def build_compiled(hypermodel, hp):
    """``hypermodel.build(hp)``, refused unless it returns a compiled model."""
    model = hypermodel.build(hp)
    if not getattr(model, "compiled", False):
        raise TunerError("the model-building function must return a compiled model "
                         "(call model.compile(...) before returning it)")
    return model


def _fit_once(job, settings, trial, hp, data, prune):
    """Build and fit one model on ``data = (x, y, (x_val, y_val))``; measure it on the
    validation rows. Returns ``(metrics, model, epochs)``."""
    from ..random import set_random_seed

    x, y, validation = data
    if settings.seed is not None:
        set_random_seed(settings.seed)
    model = build_compiled(job.hypermodel, hp)
    task = task_of(model)
    reporter = _EpochReporter(trial, settings.objectives[0], task, validation, prune)
    kwargs = dict(job.fit_kwargs)
    kwargs["callbacks"] = [reporter] + copy.deepcopy(list(kwargs.get("callbacks") or []))
    kwargs.setdefault("verbose", 0)
    if settings.seed is not None:
        kwargs.setdefault("seed", settings.seed)
    with doctor.quiet():  # the driver's probe issued the doctor's warnings once
        job.hypermodel.fit(hp, model, x, y, validation_data=validation, **kwargs)
    if reporter.diverged:
        raise Diverged(reporter.diverged)
    if reporter.pruned:
        raise TrialPruned(reporter.pruned)
    x_val, y_val = validation
    logs = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    outputs = model.predict(x_val, verbose=0)
    return validation_metrics(task, y_val, outputs, logs["loss"]), model, reporter.epochs


def fold_data(job):
    """The ``(x, y, (x_val, y_val))`` of each cross-validation fold of ``job`` (its training
    and validation rows together, split by ``job.folds``)."""
    x_val, y_val = job.validation_data
    x_all = np.concatenate([np.asarray(job.x), np.asarray(x_val)])
    y_all = np.concatenate([np.asarray(job.y), np.asarray(y_val)])
    return [(x_all[train], y_all[train], (x_all[val], y_all[val])) for train, val in job.folds]


def _train(job, settings, trial):
    """Fit (once, or once per fold with cross-validation) and measure; returns
    ``(values, metrics, model, epochs)``. With folds the metrics are the folds' means and the
    model kept is trained once more on the training rows (validated on the validation rows),
    as the trial's model file promises."""
    hp = HyperParameters(trial)
    objectives = settings.objectives
    prune = len(objectives) == 1 and settings.pruner != "none"
    if job.folds:
        runs = [_fit_once(job, settings, trial, hp, data, prune and i == 0)
                for i, data in enumerate(fold_data(job))]
        metrics = {key: float(np.mean([m[key] for m, _, _ in runs])) for key in runs[0][0]}
        epochs = int(round(np.mean([e for _, _, e in runs])))
        model = _fit_once(job, settings, trial, hp, (job.x, job.y, job.validation_data),
                          prune=False)[1]
    else:
        metrics, model, epochs = _fit_once(
            job, settings, trial, hp, (job.x, job.y, job.validation_data), prune)
    values = [metrics[o.name] for o in objectives]
    bad = [o.name for o, v in zip(objectives, values) if not math.isfinite(v)]
    if bad:
        raise Diverged(f"diverged: the objective {bad[0]} is {metrics[bad[0]]} on the "
                       "validation data")
    return values, metrics, model, epochs


def run_trial(job, settings, token):
    """Ask the study for a trial, run it and tell the study how it ended.

    Returns:
        ``{"token", "number", "state" ("COMPLETE"/"PRUNED"/"FAIL"), "values", "metrics",
        "params", "reason", "duration", "model" (bytes or None), "model_file" (the path
        this worker wrote, or None)}``.
    """
    import optuna
    from optuna.trial import TrialState

    study = optuna.load_study(study_name=settings.study_name, storage=_storage(
        settings.storage_url), sampler=make_sampler(settings, token),
        pruner=make_pruner(settings.pruner))
    trial = study.ask()
    trial.set_user_attr("token", int(token))
    trial.set_user_attr("pid", os.getpid())
    trial.set_user_attr("pid_identity", process_identity(os.getpid()))
    trial.set_user_attr("host", socket.gethostname())
    started = time.perf_counter()
    outcome = {"token": int(token), "number": trial.number, "values": None, "metrics": None,
               "reason": None, "model": None, "model_file": None}
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            # a diverging trial is expected in a search: it is caught as NaN, not as warnings
            values, metrics, model, epochs = _train(job, settings, trial)
    except TrialPruned as err:
        state, outcome["reason"] = TrialState.PRUNED, str(err)
    except Diverged as err:
        state, outcome["reason"] = TrialState.FAIL, str(err)
    except Exception as err:  # noqa: BLE001 - a failing trial is recorded; the study goes on
        text = " ".join(str(err).split())[:500]
        state, outcome["reason"] = TrialState.FAIL, f"{type(err).__name__}: {text}"
    else:
        state = TrialState.COMPLETE
        outcome.update(values=values, metrics=metrics, epochs=epochs)
        trial.set_user_attr("metrics", metrics)
        trial.set_user_attr("epochs", epochs)
        if model is not None:
            _keep_model(model, settings, trial.number, outcome)
    outcome["duration"] = time.perf_counter() - started
    outcome["params"] = dict(trial.params)
    outcome["state"] = _tell(study, trial, state, outcome)
    return outcome


def _tell(study, trial, state, outcome):
    """Record the trial's end in the study; returns the state the study holds. A trial that
    someone else ended meanwhile (a resumed driver that took this worker for dead) keeps the
    state it was given, and the outcome says so."""
    from optuna.exceptions import UpdateFinishedTrialError
    from optuna.trial import TrialState

    try:
        trial.set_user_attr("duration_s", round(outcome["duration"], 3))
        if outcome["reason"]:
            trial.set_user_attr("reason", outcome["reason"])
    except UpdateFinishedTrialError:
        pass  # told below, which reads the state it holds
    frozen = study.tell(trial, outcome["values"] if state == TrialState.COMPLETE else None,
                        state=state, skip_if_finished=True)
    if frozen.state != state:
        outcome["reason"] = (f"the study already held this trial as {frozen.state.name} when "
                             f"its worker ended it as {state.name}")
        outcome["values"] = frozen.values
        if outcome.get("model_file"):  # the study keeps no model for a trial it failed
            os.remove(outcome.pop("model_file"))
    return frozen.state.name


def limit_threads():
    """One BLAS thread per worker: workers run side by side, one per core."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(1)

