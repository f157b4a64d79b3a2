"""``neurona train DATA.csv --target COLUMN`` or ``neurona train CONFIG.yaml``.

From a CSV alone, every choice is made for the user and printed: the task (from the target),
the encoding (fitted on the training rows), a stratified train/validation/test split, an MLP
with the recommended output layer and loss, early stopping restoring the best weights. Options
(or the YAML file) override each choice. The run folder receives ``model.neurona`` (with the
encoder inside), ``history.csv``, ``metrics.json``, ``config.yaml``, PNG plots, TensorBoard
``logs/`` and ``report.html``; it appears only once the run has succeeded.
"""

import os
import sys

from . import artifacts, config as C, pipeline
from .display import add_progress_arguments, metric_lines, progress_level
from .errors import CLIError, require
from .report import write_report
from .run_folder import RunFolder, default_out


def add_parser(subparsers, parents):
    """Register the ``train`` command and its options."""
    p = subparsers.add_parser(
        "train", parents=parents, help="train a network on a CSV file or from a YAML config",
        description=__doc__.split("\n\n")[1].replace("``", "")
        + " A YAML config's relative 'data' path is relative to the YAML file.")
    C.add_data_arguments(
        p, "the training table (.csv, .csv.gz) or a run configuration (.yaml, .yml)",
        "learn log(target), log1p(target) or the standardized target; predictions and metrics "
        "are in the target's own units")
    p.add_argument("--target-units", metavar="UNITS",
                   help="the target's units (e.g. 'k$'), shown on the plots and in the report")
    p.add_argument("--categorical", metavar="COLS",
                   help="comma-separated columns to one-hot encode (default: inferred)")
    p.add_argument("--numeric", metavar="COLS",
                   help="comma-separated columns to standardize (default: inferred)")
    p.add_argument("--layers", metavar="SIZES", help="hidden layer sizes, e.g. 128,64 "
                   "(default 64,64)")
    p.add_argument("--activation", help="activation of the hidden layers (default relu)")
    p.add_argument("--dropout", type=float, help="dropout rate after each hidden layer")
    p.add_argument("--optimizer", help="optimizer name (default adam)")
    p.add_argument("--learning-rate", type=float, help="learning rate (default 0.001)")
    p.add_argument("--loss", help="loss name (default: the recommended loss for the task)")
    p.add_argument("--epochs", type=int, help="most epochs to train (default 100)")
    p.add_argument("--batch-size", type=int, help="rows per step (default 32)")
    p.add_argument("--class-weight", choices=("balanced",),
                   help="weight the classes inversely to their frequency")
    C.add_threshold_arguments(p)
    p.add_argument("--patience", type=int, help="early-stopping patience (default 10)")
    p.add_argument("--no-early-stopping", action="store_true", help="train every epoch")
    p.add_argument("--no-tensorboard", action="store_true", help="write no TensorBoard logs")
    p.add_argument("--validation-split", type=float, metavar="FRACTION",
                   help="fraction of rows for validation (default 0.2)")
    p.add_argument("--test-split", type=float, metavar="FRACTION",
                   help="fraction of rows for the test (default 0.2)")
    p.add_argument("--seed", type=int, help="seed of the split and of training (default 0)")
    p.add_argument("--out", metavar="DIR", help="run folder (default: a new folder in runs/)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace an existing non-empty --out folder once the run succeeds")
    add_progress_arguments(p)
    p.set_defaults(handler=run)


def _overrides(args):
    """The options as dotted configuration keys (None = not given)."""
    layers = C.comma_list(args.layers, "--layers", int)
    if layers is not None and (args.activation or args.dropout is not None):
        layers = [{"units": n, "activation": args.activation or "relu",
                   "dropout": args.dropout or 0.0} for n in layers]
    values = {
        **C.data_overrides(args), **C.threshold_overrides(args),
        "target_units": args.target_units,
        "columns.categorical": C.comma_list(args.categorical, "--categorical"),
        "columns.numeric": C.comma_list(args.numeric, "--numeric"),
        "layers": layers,
        "compile.optimizer": args.optimizer, "compile.learning_rate": args.learning_rate,
        "compile.loss": args.loss,
        "fit.epochs": args.epochs, "fit.batch_size": args.batch_size,
        "fit.class_weight": args.class_weight,
        "callbacks.early_stopping.patience": args.patience,
        "split.validation": args.validation_split, "split.test": args.test_split,
        "split.seed": args.seed, "fit.seed": args.seed, "out": args.out,
    }
    if args.no_early_stopping:
        values["callbacks.early_stopping"] = False
        values.pop("callbacks.early_stopping.patience")
    if args.no_tensorboard:
        values["callbacks.tensorboard"] = False
    return values


def _layer_options(raw, args):
    """--activation / --dropout without --layers apply to the configured hidden layers."""
    if args.layers is not None or (args.activation is None and args.dropout is None):
        return raw
    layers = C.layer_specs(raw.get("layers", C.DEFAULTS["layers"]))
    for spec in layers:
        if args.activation is not None:
            spec["activation"] = args.activation
        if args.dropout is not None:
            spec["dropout"] = args.dropout
    return dict(raw, layers=layers)


def resolve_config(args):
    """The validated configuration of ``neurona train`` from its arguments."""
    raw, base_dir = C.load_source("train", args)
    raw = C.apply_overrides(raw, _overrides(args))
    return C.validate(_layer_options(raw, args), base_dir)


def run(args):
    """Carry out ``neurona train``; returns the exit status."""
    require("pandas", "neurona train", "cli")
    config = resolve_config(args)
    out = config["out"] or default_out(config["data"])  # a default folder is claimed here
    with RunFolder(out, overwrite=args.overwrite, claimed=config["out"] is None) as folder:
        result = train_into(config, folder, progress_level(args), talk=not args.quiet)
    metrics = result["metrics"]
    best = "" if metrics["best_epoch"] is None else f", best epoch {metrics['best_epoch']}"
    lead = "" if args.quiet else "\n"
    print(f"{lead}{metrics['epochs_run']} epochs{best}. Test metrics "
          f"({metrics['rows']['test']:,} rows):")
    sys.stdout.write(metric_lines(metrics["test"]))
    for line in result["warnings"]:
        print(f"warning: {line}")
    if result["plots"] is None:
        print('Plots skipped: matplotlib is not installed (pip install "neurona[plot]")')
    print(f"\nRun folder: {out}  (report.html, model.neurona, metrics.json)")
    return 0


def train_into(config, folder, verbose=2, talk=True):
    """Run the whole training described by ``config``, writing every file into ``folder``.

    Args:
        config: the validated run configuration.
        folder: the (temporary) run folder.
        verbose: ``fit``'s progress: 0 none, 1 a live bar, 2 a line per epoch.
        talk: print the data summary, the doctor's findings and the decision threshold.

    Returns:
        ``{"model", "prepared", "history", "metrics", "threshold", "warnings", "plots"}``.
    """
    from .. import utils
    from ..data import check_training_setup, format_findings
    from ..models import doctor

    prepared = pipeline.prepare(config)
    if talk:
        print(describe_data(config, prepared))
    seed = pipeline.training_seed(config)
    utils.set_random_seed(seed)
    model, output = pipeline.build_model(config, prepared)
    findings = check_training_setup(prepared.x["train"], prepared.y["train"], model=model,
                                    class_weight=config["fit"]["class_weight"],
                                    class_names=prepared.classes)
    findings = [cli_fix(f, config) for f in findings]
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise CLIError(f"{errors[0].message}; fix: {errors[0].fix}")
    if findings and talk:
        print(format_findings(findings))
    with doctor.quiet():  # the findings were printed above, with the CLI's fix
        history = model.fit(prepared.x["train"], prepared.y["train"],
                            validation_data=(prepared.x["validation"], prepared.y["validation"]),
                            epochs=config["fit"]["epochs"],
                            batch_size=config["fit"]["batch_size"],
                            callbacks=pipeline.callbacks_for(config, folder, verbose),
                            verbose=verbose, class_weight=config["fit"]["class_weight"],
                            seed=seed)
    outputs = pipeline.predict_parts(model, prepared)
    threshold, warnings = pipeline.decide(config, prepared, outputs)
    if threshold is not None and talk:
        print("Decision threshold " + artifacts.threshold_text(
            threshold, prepared.classes, len(prepared.y["validation"])))
    metrics, summary = pipeline.measure(model, prepared, outputs,
                                        None if threshold is None else threshold["value"])
    warnings = warnings + pipeline.class_warnings(prepared, summary)
    metrics = {"task": prepared.task, "target": config["target"], "classes": prepared.classes,
               # train/validation/test "loss" (and Keras metrics) are in the network's units
               "target_transform": config["target_transform"],
               "target_units": config["target_units"],
               "rows": {part: len(y) for part, y in prepared.y.items()},
               "epochs_run": len(history.epoch),  # best_epoch counts from 1, as printed
               "best_epoch": None if history.best_epoch is None else history.best_epoch + 1,
               "threshold": threshold, "warnings": warnings, **metrics}
    save_run(folder, model, config, prepared, threshold)
    artifacts.write_json(os.path.join(folder, "metrics.json"), metrics)
    used = pipeline.resolved_config(config, prepared, seed)
    artifacts.write_config(folder, used)
    plots = artifacts.write_plots(folder, history, prepared, outputs, summary, config)
    facts = artifacts.data_summary(config, prepared, output, threshold)
    early = config["callbacks"]["early_stopping"]
    restored = ", its weights kept" if early and early["restore_best_weights"] else ""
    facts["epochs run"] = len(history.epoch) if history.best_epoch is None else \
        f"{len(history.epoch)} (best: {history.best_epoch + 1}{restored})"
    facts["seed"] = seed
    write_report(os.path.join(folder, "report.html"), used, facts, metrics, history.history,
                 plots, details=None if summary is None else str(summary), warnings=warnings)
    return {"model": model, "prepared": prepared, "history": history, "metrics": metrics,
            "threshold": threshold, "warnings": warnings, "plots": plots}


def save_run(folder, model, config, prepared, threshold):
    """``model.neurona``: the network with its encoder and decision threshold."""
    from ..saving import save_model

    save_model(model, os.path.join(folder, "model.neurona"),
               preprocessing=pipeline.preprocessing_record(config, prepared, threshold))


def describe_data(config, prepared):
    """The first line of a run: rows, the task, the classes and their shares, the parts."""
    from .decision import class_shares

    classes = ""
    if prepared.classes is not None:
        classes = f" ({class_shares(prepared.y['train'], prepared.classes)} of the training rows)"
    return (f"{config['data']}: {len(prepared.frame):,} rows; target {config['target']!r} -> "
            f"{prepared.task}{classes}; {prepared.x['train'].shape[1]} input features; "
            + " / ".join(f"{len(prepared.y[p]):,} {p}" for p in prepared.y) + " rows")


def cli_fix(finding, config):
    """A doctor's finding with the command line's fix (an option, not a Python call): the
    class balance is the class weights' business, a loss that does not fit the target is the
    given loss's (the command line otherwise picks the loss that fits the task)."""
    import dataclasses

    if finding.code == "class_imbalance":
        fix = ("--class-weight balanced (fit.class_weight: balanced in YAML); the decision "
               "threshold is chosen on the validation rows, and the report shows each class's "
               "recall")
    elif config["compile"]["loss"] is not None and (
            finding.code.startswith(("labels_", "regression_loss", "one_hot", "sparse_loss"))
            or finding.code in ("missing_sigmoid", "softmax_one_unit")):
        fix = (f"leave out --loss {config['compile']['loss']} (compile.loss in YAML): the loss "
               "that fits the task is then chosen (or set --task)")
    else:
        return finding
    return dataclasses.replace(finding, fix=fix)

