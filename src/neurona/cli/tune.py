"""``neurona tune DATA.csv --target COLUMN --trials 50 --jobs 2``: search the MLP's
hyperparameters with Optuna, trials in parallel, and keep the best model.

The data is split and encoded as by ``neurona train`` (the same options and YAML file); every
trial trains on the training rows and is scored on the validation rows; the test rows are
used once, to report the chosen model. The folder (``--out``) holds the study (``study.db``,
readable by optuna-dashboard), ``leaderboard.csv``, the plots, every completed trial's model,
and ``model.neurona``: the best model with its encoder, ready for ``neurona predict``. An
interrupted study continues with ``--resume`` and the same ``--out``. The folder's
``config.yaml`` holds the best trial's full configuration: ``neurona train config.yaml``
trains that model again.
"""

import os
import sys

from . import artifacts, config as C, pipeline
from .display import add_progress_arguments, metric_lines, progress_level
from .errors import CLIError, require
from .run_folder import default_out, release_claim


def add_parser(subparsers, parents):
    """Register the ``tune`` command and its options."""
    from ..tuner import PRUNERS, SAMPLERS

    p = subparsers.add_parser(
        "tune", parents=parents, help="search hyperparameters (Optuna; parallel workers, Ray)",
        description=" ".join(__doc__.split("\n\n")[1:3]).replace("``", ""))
    C.add_data_arguments(
        p, "the table (.csv) or a run configuration of 'neurona train' (.yaml)",
        "learn log(target), log1p(target) or the standardized target (the trials' validation "
        "metrics are then in those units; the best model's test metrics in the target's own)")
    p.add_argument("--trials", type=int, default=20, help="trials to finish (default 20)")
    p.add_argument("--jobs", type=int, help="trials at a time (default 1; with Ray: the "
                   "cluster's CPUs)")
    p.add_argument("--space", metavar="SPACE.yaml", help="the search space (default: layers "
                   "1-3, units 16-256, activation, dropout, L2, learning rate, batch size)")
    p.add_argument("--objective", action="append", metavar="METRIC",
                   help="metric to optimize (val_loss, auc, f1, precision, recall, accuracy, "
                   "mae, r2, ...); repeat it for a Pareto front. Default: val_loss")
    p.add_argument("--constraint", action="append", metavar="'METRIC>=X'",
                   help="keep only trials meeting it, e.g. 'precision>=0.8' (repeatable)")
    p.add_argument("--sampler", choices=SAMPLERS, default="tpe", help="default tpe")
    p.add_argument("--pruner", choices=PRUNERS, default="median", help="default median")
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="local worker processes (default) or Ray tasks")
    p.add_argument("--ray-address", metavar="ADDRESS", help="the Ray cluster to join")
    p.add_argument("--storage", metavar="URL", help="a database URL shared by several "
                   "machines (postgresql://user:password@host/db); default: OUT/study.db")
    p.add_argument("--study-name", default="neurona", help="the study's name in the storage")
    p.add_argument("--cv", type=int, metavar="K", help="score each trial by K-fold "
                   "cross-validation over the training and validation rows (steadier on small "
                   "or imbalanced data; K times the cost); the best parameters are then "
                   "trained once on the training rows")
    p.add_argument("--epochs", type=int, help="most epochs per trial (default 100)")
    p.add_argument("--patience", type=int, help="early-stopping patience (default 10)")
    p.add_argument("--class-weight", choices=("balanced",),
                   help="weight the classes inversely to their frequency")
    C.add_threshold_arguments(p)
    p.add_argument("--seed", type=int, help="seed of the split, the sampler and training")
    p.add_argument("--out", metavar="DIR", help="the tuning folder (default: a new folder in "
                   "runs/)")
    p.add_argument("--resume", action="store_true", help="continue the study in --out")
    add_progress_arguments(p)
    p.set_defaults(handler=run)


def resolve_config(args):
    """The validated run configuration (data, columns, split, fit) of the tuning run."""
    raw, base_dir = C.load_source("tune", args)
    raw = C.apply_overrides(raw, {
        **C.data_overrides(args), **C.threshold_overrides(args),
        "fit.epochs": args.epochs, "fit.class_weight": args.class_weight,
        "callbacks.early_stopping.patience": args.patience, "split.seed": args.seed,
        "fit.seed": args.seed, "out": args.out})
    return C.validate(raw, base_dir)


def _space(path):
    from ..tuner import DEFAULT_SPACE, SearchSpace, SearchSpaceError

    if path is None:
        return SearchSpace(DEFAULT_SPACE)
    if not os.path.isfile(path):
        raise CLIError(f"--space {path}: no such file")
    try:
        return SearchSpace.from_yaml(path)
    except SearchSpaceError as err:
        raise CLIError(str(err)) from None


def _out(args, config):
    out = config["out"]
    if args.resume:
        if out is None or not os.path.isdir(out):
            raise CLIError("--resume needs --out: the folder of the study to continue"
                           + ("" if out is None else f" ({out} does not exist)"))
        return out
    if out is None:  # a new folder, claimed now: a run started in the same second gets another
        return default_out("tune-" + os.path.basename(config["data"]))
    if os.path.isdir(out) and os.listdir(out):
        raise CLIError(f"--out {out}: the folder exists and is not empty; choose another "
                       "folder, or pass --resume to continue the study in it")
    return out


def build_tuner(args, config, prepared, verbose=0):
    """The Tuner of the run: the MLP family over the search space, the objectives, the
    executor and the storage."""
    from ..tuner import TabularMLP, Tuner, TunerError

    output = pipeline.output_for(prepared)
    first, comp = config["layers"][0], config["compile"]
    base = {"layers": [spec["units"] for spec in config["layers"]],
            **{key: first[key] for key in ("activation", "initializer", "batch_norm", "dropout",
                                           "l1", "l2")},
            **{key: comp[key] for key in ("optimizer", "learning_rate", "momentum",
                                          "schedule")},
            "batch_size": config["fit"]["batch_size"], "epochs": config["fit"]["epochs"]}
    try:
        hypermodel = TabularMLP(_space(args.space), prepared.x["train"].shape[1], output,
                                len(prepared.y["train"]), base=base,
                                class_weight=config["fit"]["class_weight"])
        return Tuner(hypermodel, objective=args.objective or "val_loss", n_trials=args.trials,
                     n_jobs=args.jobs, executor=args.executor, sampler=args.sampler,
                     pruner=args.pruner, constraints=args.constraint,
                     space=hypermodel.space if args.sampler == "grid" else None,
                     storage=args.storage, study_name=args.study_name,
                     directory=config["out"], seed=pipeline.training_seed(config),
                     resume=args.resume, ray_address=args.ray_address, verbose=verbose)
    except TunerError as err:
        raise CLIError(str(err)) from None


def run(args):
    """Carry out ``neurona tune``; returns the exit status."""
    require("optuna", "neurona tune", "tune")
    require("pandas", "neurona tune", "tune")
    config = resolve_config(args)
    claimed = config["out"] is None and not args.resume
    config["out"] = _out(args, config)
    try:
        return _tune(args, config)
    finally:
        if claimed:  # a default folder that a failed run left empty goes (a study stays)
            release_claim(config["out"])


def _tune(args, config):
    from .. import callbacks
    from ..tuner import TunerError

    prepared = pipeline.prepare(config)
    # the plan and a line per trial on a terminal (or with -v); only the result otherwise
    tuner = build_tuner(args, config, prepared, verbose=1 if progress_level(args) else 0)
    if not args.quiet and not tuner.verbose:
        rows = len(prepared.y["train"]) + len(prepared.y["validation"])
        scored = f"{args.cv}-fold CV on {rows:,} rows" if args.cv else \
            f"{len(prepared.y['validation']):,} validation rows"
        print(f"Tuning: {args.trials} trials scored on {scored}; folder {config['out']}",
              flush=True)
    early = config["callbacks"]["early_stopping"]
    fit_callbacks = [callbacks.EarlyStopping(**early)] if early else []
    try:
        tuner.search(prepared.x["train"], prepared.y["train"],
                     validation_data=(prepared.x["validation"], prepared.y["validation"]),
                     epochs=config["fit"]["epochs"], batch_size=config["fit"]["batch_size"],
                     callbacks=fit_callbacks, cv=args.cv)
        model = tuner.best_model()
    except TunerError as err:
        raise CLIError(str(err)) from None
    _keep_best(config, prepared, tuner, model, args.cv, quiet=args.quiet)
    return 0


def best_config(config, tuner):
    """The run configuration of the best trial: its layers, optimizer, schedule, batch size
    and epochs over the tuning run's data, split and callbacks."""
    from optuna.trial import FixedTrial

    from ..tuner import HyperParameters

    best = tuner.best_trial
    values = tuner.hypermodel.values(HyperParameters(FixedTrial(best.params, best.number)))
    layers, training = tuner.hypermodel.layers_and_training(values)
    chosen = dict(config, layers=layers)
    chosen["compile"] = dict(config["compile"], **{key: training[key] for key in (
        "optimizer", "learning_rate", "momentum", "schedule")})
    chosen["fit"] = dict(config["fit"], batch_size=training["batch_size"],
                         epochs=training["epochs"])
    return chosen


def _keep_best(config, prepared, tuner, model, cv, quiet=False):
    """Save the best model with its encoder and decision threshold, its configuration, and
    report it on the test rows (``quiet``: the report is the first output, no blank line)."""
    from .train import save_run

    folder = config["out"]
    outputs = pipeline.predict_parts(model, prepared)
    threshold, warnings = pipeline.decide(config, prepared, outputs)
    save_run(folder, model, config, prepared, threshold)
    metrics, summary = pipeline.measure(model, prepared, outputs,
                                        None if threshold is None else threshold["value"])
    warnings = warnings + pipeline.class_warnings(prepared, summary)
    best = tuner.best_trial
    chosen = best_config(config, tuner)
    seed = pipeline.training_seed(config)
    artifacts.write_json(os.path.join(folder, "metrics.json"), {
        "task": prepared.task, "target": config["target"], "classes": prepared.classes,
        "rows": {part: len(y) for part, y in prepared.y.items()}, "cv": cv,
        "best_trial": best.number, "best_params": best.params, "threshold": threshold,
        "warnings": warnings, **metrics})
    artifacts.write_config(folder, pipeline.resolved_config(chosen, prepared, seed),
                           note=f"the configuration of trial {best.number}, the best of this "
                                "study")
    lead = "" if quiet else "\n"
    print(f"{lead}The best model (trial {best.number}) on the {len(prepared.y['test']):,} "
          "test rows:")
    sys.stdout.write(metric_lines(metrics["test"]))
    if threshold is not None:
        print("Decision threshold " + artifacts.threshold_text(
            threshold, prepared.classes, len(prepared.y["validation"])))
    for line in warnings:
        print(f"warning: {line}")
    print(f"\nFolder: {folder}  (model.neurona, config.yaml, leaderboard.csv, study.db)")
