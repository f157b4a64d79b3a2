"""The :class:`Tuner`: a study of many trials over a search space, run by parallel workers.

The study lives in an Optuna storage (an SQLite file in the tuning folder by default, or a
PostgreSQL URL that workers on several machines share). The driver keeps ``n_jobs`` trials
running, each in a worker (a local process or a Ray task) that records its outcome in the
storage, until exactly ``n_trials`` trials have finished (completed or pruned). Failed trials
(an exception, NaN, a worker that died) are recorded with their reason and replaced.
"""

import datetime
import itertools
import os
import secrets
import shutil
import socket
import time

import numpy as np

from . import results
from .bootstrap import check_script, script_not_rerun
from .executors import LocalExecutor, RayExecutor
from .._json import write_json
from ..atomic import atomic_write
from .objectives import (TunerError, check_for_task, parse_constraints, parse_objectives,
                         suggestion, task_of)
from .space import HyperParameters, SearchSpace
from ..processes import process_alive
from .storage import open_storage, redact, sqlite_url
from .trial import Job, Settings, as_hypermodel, build_compiled, trial_model_path

__all__ = ["Tuner", "SAMPLERS", "PRUNERS"]

SAMPLERS = ("tpe", "random", "grid", "nsga2")
PRUNERS = ("median", "asha", "hyperband", "none")
EXECUTORS = ("local", "ray")
_FINISHED = ("COMPLETE", "PRUNED")


def _choice(what, value, choices):
    if value in choices:
        return value
    raise TunerError(f"{what} must be one of {', '.join(choices)}, got {value!r}"
                     f"{suggestion(value, choices)}")


def _positive_int(what, value, allow_none=False):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise TunerError(f"{what} must be an integer >= 1, got {value!r}")
    return int(value)


def _default_directory():
    """``runs/tune-<time>-<random>``: two searches started in the same second differ (and
    :meth:`Tuner.search` claims the folder with ``mkdir`` before the first trial)."""
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join("runs", f"tune-{stamp}-{secrets.token_hex(3)}")


class Tuner:
    """Search hyperparameters with Optuna, running trials in parallel.

    Args:
        hypermodel: ``build_model(hp)`` returning a compiled model, or a
            :class:`~neurona.tuner.HyperModel` (to tune ``fit`` arguments too).
        objective: a metric name (``"val_loss"``, ``"auc"``, ``"f1"``, ``"mae"``, ...; see
            :data:`~neurona.tuner.OBJECTIVES`) or a list of them (a Pareto front).
        n_trials: how many trials must finish (completed or pruned) in the study; with
            ``resume`` the trials already in the study count.
        n_jobs: trials at a time (worker processes for ``executor="local"``; for Ray,
            default the cluster's CPUs).
        executor: ``"local"`` (worker processes here) or ``"ray"`` (Ray tasks).
        sampler: ``"tpe"`` (Bayesian), ``"random"``, ``"grid"`` (needs ``space``) or
            ``"nsga2"`` (several objectives).
        pruner: ``"median"``, ``"asha"`` (successive halving), ``"hyperband"`` or ``"none"``;
            trials report the first objective each epoch. Off with several objectives.
        constraints: e.g. ``["precision >= 0.8"]``: the best trial is chosen among those
            meeting them (and the TPE/NSGA-II samplers steer towards them).
        space: the :class:`SearchSpace` (or its dict) the hypermodel draws from; grid search
            needs it to know every value up front.
        storage: a database URL (``postgresql://user:password@host/db``) shared by workers on
            several machines; default an SQLite file ``study.db`` in ``directory``.
        study_name: the study's name in the storage (default ``"neurona"``).
        directory: the tuning folder (trial models, leaderboard, plots, the best model);
            default a new ``runs/tune-<time>`` folder.
        seed: seeds the sampler (per trial) and each trial's training; same seed and
            ``n_jobs=1`` give the same sequence of trials.
        resume: continue the study found in ``storage``/``directory``.
        max_failures: stop with an error after this many failed trials (default
            ``n_trials``).
        ray_address, cpus_per_trial, gpus_per_trial: for ``executor="ray"``.
        verbose: 0 silent, 1 the plan and one line per trial.

    Example:
        >>> import neurona
        >>> from neurona import layers
        >>> def build_model(hp):
        ...     model = neurona.Sequential([layers.Input((4,))])
        ...     for i in range(hp.Int("layers", 1, 2)):
        ...         model.add(layers.Dense(hp.Int(f"units_{i + 1}", 4, 32, sampling="log"),
        ...                                activation="relu"))
        ...     model.add(layers.Dense(1, activation="sigmoid"))
        ...     rate = hp.Float("lr", 1e-3, 1e-2, sampling="log")
        ...     model.compile(optimizer=neurona.optimizers.Adam(rate),
        ...                   loss="binary_crossentropy")
        ...     return model
        >>> x = np.random.default_rng(0).normal(size=(200, 4))
        >>> y = (x[:, 0] + x[:, 1] > 0).astype("int64")
        >>> tuner = Tuner(build_model, objective="auc", n_trials=3, directory="tuning", verbose=0)
        >>> _ = tuner.search(x, y, validation_split=0.25, epochs=3)
        >>> len(tuner.leaderboard()), tuner.best_model().count_params() > 0
        (3, True)
    """

    def __init__(self, hypermodel, objective="val_loss", n_trials=20, *, n_jobs=None,
                 executor="local", sampler="tpe", pruner="median", constraints=None,
                 space=None, storage=None, study_name="neurona", directory=None, seed=0,
                 resume=False, max_failures=None, ray_address=None, cpus_per_trial=1,
                 gpus_per_trial=0, verbose=1):
        self.hypermodel = as_hypermodel(hypermodel)
        self.objectives = parse_objectives(objective)
        self.constraints = parse_constraints(constraints)
        self.n_trials = _positive_int("n_trials", n_trials)
        self.executor = _choice("executor", executor, EXECUTORS)
        self.n_jobs = _positive_int("n_jobs", n_jobs, allow_none=True)
        if self.n_jobs is None and self.executor == "local":
            self.n_jobs = 1
        self.sampler = _choice("sampler", sampler, SAMPLERS)
        self.pruner = _choice("pruner", pruner, PRUNERS)
        if len(self.objectives) > 1 and self.pruner != "none":
            self.pruner = "none"  # Optuna prunes single-objective studies only
        self.space = self._space(space)
        self.grid = self.space.grid() if self.sampler == "grid" and self.space else None
        if self.sampler == "grid" and self.grid is None:
            raise TunerError("sampler='grid' needs space=: a SearchSpace (or dict) listing the "
                             "values of every parameter")
        if self.grid is not None and self.space.size() < self.n_trials:
            raise TunerError(f"the grid has {self.space.size()} points, fewer than "
                             f"n_trials={self.n_trials}; ask for at most {self.space.size()} "
                             "trials")
        if not isinstance(study_name, str) or not study_name:
            raise TunerError(f"study_name must be a non-empty string, got {study_name!r}")
        self.study_name = study_name
        self._claim_directory = directory is None and not resume
        self.directory = os.path.abspath(directory or _default_directory())
        self.storage_url = storage or sqlite_url(os.path.join(self.directory, "study.db"))
        self.seed = None if seed is None else int(seed)
        self.resume = bool(resume)
        self.max_failures = _positive_int("max_failures", max_failures, allow_none=True) \
            or self.n_trials
        self.ray_options = {"address": ray_address, "cpus_per_trial": cpus_per_trial,
                            "gpus_per_trial": gpus_per_trial}
        self.verbose = verbose
        self.study = None
        self.task = None
        self.cv = None
        self._job = None
        self._storage = None
        self._retrained = (None, None)

    # -- set-up ------------------------------------------------------------------------------
    def _space(self, space):
        if space is None:
            return None
        return space if isinstance(space, SearchSpace) else SearchSpace(space)

    def _settings(self):
        return Settings(study_name=self.study_name, storage_url=self.storage_url,
                        objectives=self.objectives, constraints=self.constraints,
                        sampler=self.sampler, pruner=self.pruner, seed=self.seed, grid=self.grid,
                        trials_dir=os.path.join(self.directory, "trials"))

    def _split(self, x, y, validation_data, validation_split):
        from ..models.arrays import standardize_x, validation_count

        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TunerError("validation_data must be a pair (x_val, y_val)")
            return x, y, tuple(validation_data)
        if validation_split is None:
            raise TunerError("search() needs validation data to score the trials: pass "
                             "validation_data=(x_val, y_val) or validation_split=0.2")
        if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)) \
                or not 0 < validation_split < 1:
            raise TunerError(f"validation_split must be in (0, 1), got {validation_split!r}")
        x = standardize_x(x, "x", None)
        y = np.asarray(y)
        if len(x) != len(y):
            raise TunerError(f"x has {len(x)} rows but y has {len(y)}; give one target per row")
        try:  # fit's own rule, so a trial holds out exactly the rows fit would
            cut = len(x) - validation_count(len(x), validation_split)
        except ValueError as err:
            raise TunerError(str(err)) from None
        return x[:cut], y[:cut], (x[cut:], y[cut:])  # the last rows, as Keras takes them

    def _probe(self, x, y, class_weight=None, attempts=5):
        """Build a model before the study starts, to learn the task from its loss (the
        objectives must fit it): a building function that fails for every one of a few
        random draws is broken, and says so here, once, instead of in every trial. The
        training-setup doctor looks at that model and the data here too, once: its errors
        stop the search, its warnings are issued once (the trials stay quiet)."""
        from ..models.doctor import check_fit

        import optuna

        with _quiet_optuna():
            probe = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
        for attempt in range(attempts):
            try:
                model = build_compiled(self.hypermodel, HyperParameters(probe.ask()))
                break
            except Exception as err:  # noqa: BLE001 - some draws may fail; all failing is a bug
                if attempt == attempts - 1:
                    raise TunerError(f"the model-building function failed for {attempts} "
                                     f"random draws; the last error: {type(err).__name__}: "
                                     f"{err}") from err
        self.task = task_of(model)
        try:
            check_fit(model, x, y, class_weight=class_weight)
        except ValueError as err:
            raise TunerError(f"every trial would fail: {err}") from None
        check_for_task([o.name for o in self.objectives]
                       + [c.metric for c in self.constraints], self.task)

    def _open_study(self):
        import optuna

        storage = open_storage(self.storage_url)
        names = [s.study_name for s in optuna.study.get_all_study_summaries(storage)]
        exists = self.study_name in names
        if exists and not self.resume:
            raise TunerError(f"the storage {redact(self.storage_url)} already holds a study "
                             f"named {self.study_name!r}; pass resume=True (--resume) to "
                             "continue it, or choose another study_name or folder")
        if self.resume and not exists:
            raise TunerError(f"resume: no study named {self.study_name!r} in "
                             f"{redact(self.storage_url)}; start it without resume")
        directions = [o.direction for o in self.objectives]
        with _quiet_optuna():
            study = optuna.create_study(storage=storage, study_name=self.study_name,
                                        directions=directions, load_if_exists=exists)
        recorded = study.user_attrs.get("objectives")
        mine = [o.name for o in self.objectives]
        if recorded is not None and recorded != mine:
            raise TunerError(f"resume: the study optimizes {recorded}, not {mine}; use the "
                             "same objectives to continue it")
        study.set_user_attr("objectives", mine)
        study.set_user_attr("constraints", [str(c) for c in self.constraints])
        self._settle_orphans(study, storage)
        if self.grid is not None:
            self._enqueue_grid(study)
        return study, storage

    def _enqueue_grid(self, study):
        """Queue every grid point not yet finished or queued: each worker's ``ask`` takes the
        next queued point atomically, so concurrent workers never run the same point (the
        grid sampler alone may, when two draw at the same moment)."""
        names = list(self.grid)
        taken = {tuple(t.params.get(n) for n in names) for t in study.trials
                 if t.state.name in _FINISHED + ("WAITING", "RUNNING")}
        for point in itertools.product(*(self.grid[n] for n in names)):
            if point not in taken:
                study.enqueue_trial(dict(zip(names, point)))

    def _settle_orphans(self, study, storage, poll_s=0.2):
        """Trials left RUNNING by a driver of this machine that is gone (a resumed study):
        one whose worker still runs is waited for (it records its own outcome and model
        file), one whose worker is gone too is marked failed. A new trial starts only then,
        so the study ends with exactly the trials asked for."""
        host = socket.gethostname()
        for trial in study.get_trials(deepcopy=False):
            attrs = trial.user_attrs
            if trial.state.name != "RUNNING" or attrs.get("host") != host:
                continue
            pid, identity = attrs.get("pid"), attrs.get("pid_identity")
            if process_alive(pid, identity) and self.verbose:
                print(f"Waiting for trial {trial.number}: its worker (pid {pid}) still runs",
                      flush=True)
            while process_alive(pid, identity) and _state(storage, trial) == "RUNNING":
                time.sleep(poll_s)
            if _state(storage, trial) == "RUNNING":
                _mark_failed(storage, trial, "interrupted: the process running it stopped")

    def plan(self, n_train, n_val, epochs):
        """The plan printed before the first trial (``n_train``/``n_val``: the rows the
        trials are scored on; with cross-validation they are pooled into its folds)."""
        where = (f"{self.n_jobs} local worker process{'es' if self.n_jobs != 1 else ''}"
                 if self.executor == "local" else f"{self.n_jobs} Ray tasks at a time")
        done = len([t for t in self.study.trials if t.state.name in _FINISHED]) \
            if self.study is not None else 0
        left = max(self.n_trials - done, 0)
        budget = f", at most {left * epochs:,} epochs in all" if epochs else ""
        objectives = ", ".join(f"{o.name} ({o.direction})" for o in self.objectives)
        if self.cv:
            fits = f"{self.cv} fits (one per fold) and one on the training rows"
            data = (f"  data: {self.cv}-fold CV on {n_train + n_val:,} rows (the {n_train:,} "
                    f"training and {n_val:,} validation rows); task: {self.task}")
            budget = f", at most {left * epochs * (self.cv + 1):,} epochs in all" \
                if epochs else ""
        else:
            fits = ""
            data = (f"  data: {n_train:,} training rows, {n_val:,} validation rows; "
                    f"task: {self.task}")
        lines = [f"Tuning plan: {left} trial{'s' if left != 1 else ''}"
                 + (f" (of {self.n_trials}; {done} already done)" if done else "")
                 + f" on {where}, each up to {epochs} epochs{budget}"
                 + (f"\n  each trial: {fits}" if fits else ""),
                 data,
                 f"  objective: {objectives}"
                 + (f"; constraints: {', '.join(map(str, self.constraints))}"
                    if self.constraints else ""),
                 f"  sampler: {self.sampler}; pruner: {self.pruner}",
                 f"  storage: {redact(self.storage_url)}",
                 f"  folder: {self.directory}"]
        return "\n".join(lines)

    # -- the search --------------------------------------------------------------------------
    def search(self, x, y, validation_data=None, validation_split=None, epochs=10,
               batch_size=32, cv=None, **fit_kwargs):
        """Run the study until ``n_trials`` trials have finished.

        Args:
            x, y: the training data.
            validation_data / validation_split: the rows every trial is scored on (a split
                takes the last rows, as Keras does).
            epochs, batch_size, **fit_kwargs: passed to each trial's ``fit`` (callbacks are
                copied per trial, so an EarlyStopping starts fresh in each).
            cv: score each trial by ``cv``-fold cross-validation over the training and
                validation rows together (stratified for classes; the folds' mean metrics),
                a steadier score on small or imbalanced data at ``cv`` times the cost. The
                best parameters are then trained once more on ``x, y`` (validated on the
                validation rows) for :meth:`best_model`.

        Returns:
            ``self``.

        Raises:
            TunerError: a bad setup (before any trial runs) or too many failed trials.
        """
        plain_script = check_script(self.executor)  # a script without a __main__ guard
        x, y, validation = self._split(x, y, validation_data, validation_split)
        self.cv = cv
        self._probe(x, y, fit_kwargs.get("class_weight", fit_kwargs.get("sample_weight")))
        if os.path.isdir(self.directory) and os.listdir(self.directory) and not self.resume:
            raise TunerError(f"the folder {self.directory} exists and is not empty; pass "
                             "resume=True to continue its study, or choose another directory")
        self._claim()
        os.makedirs(os.path.join(self.directory, "trials"), exist_ok=True)
        self.study, storage = self._open_study()
        job = Job(self.hypermodel, x, y, validation,
                  dict(fit_kwargs, epochs=epochs, batch_size=batch_size),
                  folds=self._folds(cv, y, validation[1]))
        self._job = job
        executor = self._executor(job)
        self.n_jobs = executor.capacity
        if self.verbose:
            print(self.plan(len(y), len(validation[1]), epochs), flush=True)
        self._storage = storage
        try:
            with script_not_rerun(plain_script):
                self._drive(executor, storage)
            self.finish()
        finally:
            self.close()
        return self

    def _claim(self):
        """Create the default folder with ``mkdir``, which one process only can win."""
        if not self._claim_directory:
            return
        os.makedirs(os.path.dirname(self.directory), exist_ok=True)
        try:
            os.mkdir(self.directory)
        except FileExistsError:
            raise TunerError(f"the folder {self.directory} was just created by another "
                             "search; pass directory= to choose one") from None
        self._claim_directory = False

    def close(self):
        """Close the storage's database connections (results can still be read afterwards:
        a query opens a new one; close again when done)."""
        if self._storage is not None:
            self._storage.engine.dispose()

    def _folds(self, cv, y, y_val):
        if cv is None:
            return None
        from ..data import k_fold_indices

        labels = None
        if self.task != "regression":
            labels = np.concatenate([np.asarray(y), np.asarray(y_val)])
            labels = labels.argmax(axis=1) if labels.ndim == 2 and labels.shape[1] > 1 \
                else labels.reshape(-1)
        try:
            return k_fold_indices(len(y) + len(y_val), cv, stratify=labels, seed=self.seed)
        except ValueError as err:
            raise TunerError(f"cv: {err}") from None

    def _executor(self, job):
        if self.executor == "ray":
            return RayExecutor(job, self._settings(), n_jobs=self.n_jobs, **self.ray_options)
        return LocalExecutor(job, self._settings(), self.n_jobs)

    def _finished_count(self):
        return sum(1 for t in self.study.get_trials(deepcopy=False)
                   if t.state.name in _FINISHED)

    def _drive(self, executor, storage):
        tokens = itertools.count(len(self.study.trials))
        in_flight, failures = set(), 0
        done = self._finished_count()
        try:
            while True:
                while done + len(in_flight) < self.n_trials and len(in_flight) < \
                        executor.capacity:
                    token = next(tokens)
                    executor.submit(token)
                    in_flight.add(token)
                if not in_flight:
                    break
                outcome = executor.wait()
                in_flight.discard(outcome["token"])
                if outcome["state"] == "CRASHED":
                    self._fail_token(storage, outcome)
                done = self._finished_count()
                self._record(outcome, done)
                if outcome["state"] in ("FAIL", "CRASHED"):
                    failures += 1
                    if failures >= self.max_failures:
                        raise TunerError(
                            f"{failures} trials failed (the last: {outcome['reason']}); "
                            "stopping the study. Fix the cause, then continue with resume")
        except BaseException:
            executor.close(force=True)
            for token in in_flight:
                self._fail_token(storage, {"token": token,
                                           "reason": "interrupted: the study was stopped"})
            raise
        executor.close()

    def _fail_token(self, storage, outcome):
        for trial in self.study.get_trials(deepcopy=False):
            if trial.state.name == "RUNNING" and trial.user_attrs.get("token") == \
                    outcome["token"]:
                _mark_failed(storage, trial, outcome["reason"])
                outcome["number"] = trial.number

    def _trial_path(self, number):
        """Where a completed trial's model file is kept."""
        return trial_model_path(os.path.join(self.directory, "trials"), number)

    def _record(self, outcome, done):
        """Keep a completed trial's model file (when its worker, on another machine, sent it
        back instead of writing it) and print its line (``done``: trials finished so far)."""
        number = outcome["number"]
        if outcome.get("model") is not None:
            model_bytes = outcome["model"]
            atomic_write(self._trial_path(number), lambda stream: stream.write(model_bytes))
        if not self.verbose:
            return
        label = "?" if number is None else number
        state = "FAILED" if outcome["state"] in ("FAIL", "CRASHED") else outcome["state"]
        line = f"[{done}/{self.n_trials}] trial {label:>3} {state:<9}"
        if outcome["values"] is not None:
            line += "  " + "  ".join(f"{o.name}={v:.4g}" for o, v in
                                     zip(self.objectives, outcome["values"]))
        if outcome.get("duration") is not None:
            line += f"  ({outcome['duration']:.1f} s)"
        if outcome["params"]:
            line += "  " + ", ".join(f"{k}={_short(v)}" for k, v in outcome["params"].items())
        if outcome["reason"]:
            line += f"\n      {outcome['reason']}"
        print(line, flush=True)

    # -- results -----------------------------------------------------------------------------
    def _require_study(self, what):
        if self.study is None:
            raise TunerError(f"{what}: run search() first")

    def leaderboard(self):
        """Every trial (params, every validation metric, epochs, duration, state, reason),
        best first, as a DataFrame."""
        self._require_study("leaderboard")
        return results.leaderboard(self.study, self.objectives, self.constraints)

    def results_summary(self, num_trials=10):
        """Print the top of the leaderboard (KerasTuner's name)."""
        print(results.format_leaderboard(self.leaderboard(), num_trials))

    @property
    def best_trial(self):
        """The chosen trial (constraints met; best first objective, from the Pareto front
        with several objectives), or None."""
        self._require_study("best_trial")
        return results.choose_best(self.study, self.objectives, self.constraints)

    def pareto_front(self):
        """The non-dominated completed trials (those meeting the constraints)."""
        self._require_study("pareto_front")
        return results.pareto_front(self.study, self.constraints)

    def get_best_hyperparameters(self, num_trials=1):
        """The parameters of the best trials, best first (a list of dicts)."""
        board = self.leaderboard()
        board = board[board["state"] == "COMPLETE"]
        if self.constraints:
            board = board[board["feasible"]]
        best = self.best_trial
        numbers = ([best.number] if best is not None else []) + \
            [n for n in board["trial"] if best is None or n != best.number]
        trials = {t.number: t for t in self.study.trials}
        return [dict(trials[n].params) for n in numbers[:num_trials]]

    def best_model(self):
        """The trained model of the best trial, loaded from its model file (a trial's model
        is trained on the search's training rows, with cross-validation too; a trial whose
        file is missing is trained again from its parameters)."""
        best = self.best_trial
        if best is None:
            raise TunerError("no trial completed (or none meets the constraints): there is "
                             "no best model")
        return self._trial_model(best)

    def _trial_model(self, trial):
        """A completed trial's model: from its file, or trained again from its parameters
        when the file is missing (a model that could not be saved, a study run elsewhere)."""
        path = self._trial_path(trial.number)
        if not os.path.isfile(path) and self._job is not None:
            return self._retrain(trial)
        if not os.path.isfile(path):
            raise TunerError(f"the model of trial {trial.number} is not in {self.directory} "
                             "(it ran elsewhere or its model could not be saved); run "
                             "search() with resume=True to train it again from its parameters")
        from ..saving import load_model

        return load_model(path)

    def _retrain(self, trial):
        """Train ``trial``'s parameters once on the search's training rows."""
        from optuna.trial import FixedTrial

        from .trial import _fit_once

        if self._retrained[0] == trial.number:
            return self._retrained[1]
        job = self._job
        settings = self._settings()
        settings.pruner = "none"
        fixed = FixedTrial(trial.params, trial.number)
        model = _fit_once(job, settings, fixed, HyperParameters(fixed),
                          (job.x, job.y, job.validation_data), prune=False)[1]
        self._retrained = (trial.number, model)
        return model

    def get_best_models(self, num_models=1):
        """The trained models of the best trials (KerasTuner's name)."""
        if num_models == 1:
            return [self.best_model()]
        board = self.leaderboard()
        trials = {t.number: t for t in self.study.trials}
        return [self._trial_model(trials[number])
                for number in board[board["state"] == "COMPLETE"]["trial"][:num_models]]

    def finish(self):
        """Write the leaderboard (CSV), the plots, ``summary.json`` and ``best_model.neurona``
        into the folder. Returns the summary dict."""
        self._require_study("finish")
        board = self.leaderboard()
        board.to_csv(os.path.join(self.directory, "leaderboard.csv"), index=False)
        plots = results.write_plots(self.study, self.objectives, self.directory)
        best = self.best_trial
        counts = {}
        for trial in self.study.trials:
            counts[trial.state.name] = counts.get(trial.state.name, 0) + 1
        summary = {"study": self.study_name, "storage": redact(self.storage_url),
                   "objectives": [[o.name, o.direction] for o in self.objectives],
                   "constraints": [str(c) for c in self.constraints], "task": self.task,
                   "cv": self.cv, "trials": counts, "plots": sorted(plots)}
        if best is not None:
            summary["best"] = {"trial": best.number, "values": list(best.values),
                               "params": best.params, "metrics": best.user_attrs.get("metrics")}
            source = self._trial_path(best.number)
            target = os.path.join(self.directory, "best_model.neurona")
            if os.path.isfile(source):
                shutil.copyfile(source, target)
            elif self._job is not None:
                from ..saving import save_model

                save_model(self.best_model(), target)
        if len(self.objectives) > 1:
            summary["pareto_front"] = [{"trial": t.number, "values": list(t.values)}
                                       for t in self.pareto_front()]
        write_json(os.path.join(self.directory, "summary.json"), summary)
        if self.verbose:
            print("\nLeaderboard (best first):\n" + results.format_leaderboard(board))
            if best is not None:
                print(f"\nBest: trial {best.number}, " + ", ".join(
                    f"{o.name}={v:.4g}" for o, v in zip(self.objectives, best.values)))
            print(f"Folder: {self.directory}", flush=True)
        return summary


# -- helpers ---------------------------------------------------------------------------------
class _quiet_optuna:
    """Optuna's INFO lines (study created, trial finished) off while a block runs."""

    def __enter__(self):
        import optuna

        self.level = optuna.logging.get_verbosity()
        optuna.logging.set_verbosity(optuna.logging.WARNING)

    def __exit__(self, *exc):
        import optuna

        optuna.logging.set_verbosity(self.level)
        return False


def _state(storage, trial):
    return storage.get_trial(trial._trial_id).state.name


def _mark_failed(storage, trial, reason):
    from optuna.trial import TrialState

    try:
        storage.set_trial_user_attr(trial._trial_id, "reason", reason)
        storage.set_trial_state_values(trial._trial_id, TrialState.FAIL)
    except RuntimeError:
        pass  # it finished meanwhile (UpdateFinishedTrialError): its own outcome stands


def _short(value):
    return f"{value:.3g}" if isinstance(value, float) else str(value)


