"""5-fold cross-validation of the case-study networks, next to scikit-learn's reference model.

The network of each case study is described once, in ``<name>.yaml`` beside this script (a
``neurona train`` configuration, validated by the CLI's own loader); this script reads it and
builds the same network with the same code as ``neurona train`` (``neurona.cli.pipeline``).
Per fold, the TabularEncoder is fitted on the training rows only; a ``split.validation``
fraction of the training rows (stratified for classes) is held out for early stopping; the
test fold is never seen during training. scikit-learn's reference model gets the same folds
and the same encoded features.

A ``target_transform`` of the YAML (the used-car price is learned as log(price)) is applied
by the encoder, and predictions are turned back into the target's units before any metric is
computed, as ``neurona train`` does.

Usage::

    python examples/case_studies/cross_validate.py                 # all three, 5 folds
    python examples/case_studies/cross_validate.py boston_housing  # one
    python examples/case_studies/cross_validate.py --quick         # 2 folds, few epochs
    python examples/case_studies/cross_validate.py --no-sklearn    # the network only
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = ("boston_housing", "used_car_prices", "caravan_customers")
QUICK_FOLDS, QUICK_EPOCHS = 2, 5


def load_config(name):
    """The validated run configuration of a case study (the CLI's loader and checks)."""
    from neurona.cli import config as cli_config

    path = os.path.join(HERE, f"{name}.yaml")
    return cli_config.validate(cli_config.load_yaml(path), base_dir=HERE)


def _folds(config, frame, task, n_folds, seed):
    from sklearn.model_selection import KFold, StratifiedKFold

    if task == "regression":
        return KFold(n_folds, shuffle=True, random_state=seed).split(frame)
    labels = frame[config["target"]].astype(str).to_numpy()
    return StratifiedKFold(n_folds, shuffle=True, random_state=seed).split(frame, labels)


def _metrics(task, y_true, prediction):
    """MAE / RMSE / MAPE / R² for regression; ROC AUC / PR AUC for a binary classifier."""
    from neurona import evaluation

    if task == "regression":
        found = evaluation.regression_report(y_true, prediction)
        return {k: found[k] for k in ("mae", "rmse", "mape", "r2")}
    return {"roc_auc": evaluation.roc_auc_score(y_true, prediction),
            "pr_auc": evaluation.average_precision_score(y_true, prediction)}


def _sklearn_model(name, task, seed):
    from sklearn.ensemble import (HistGradientBoostingClassifier, HistGradientBoostingRegressor,
                                  RandomForestRegressor)

    if name == "used_car_prices":
        return "RandomForestRegressor", RandomForestRegressor(random_state=seed, n_jobs=1)
    if task == "regression":
        return "HistGradientBoostingRegressor", HistGradientBoostingRegressor(random_state=seed)
    return "HistGradientBoostingClassifier", HistGradientBoostingClassifier(random_state=seed)


def fit_network(config, train_frame, epochs=None, verbose=0):
    """Fit the encoder and the network of ``config`` on ``train_frame`` (a validation part is
    split off for early stopping). Returns ``(model, encoder, predict)`` where ``predict(frame)``
    gives the target-scale prediction (regression) or P(positive class)."""
    from neurona import utils
    from neurona.cli import pipeline
    from neurona.data import TabularEncoder, train_test_split

    columns, target = config["columns"], config["target"]
    task = None if config["task"] == "auto" else config["task"]
    split, fit = config["split"], config["fit"]
    seed = fit["seed"] if fit["seed"] is not None else split["seed"]
    train_frame = train_frame.drop(columns=columns["drop"])
    stratify = None
    if task != "regression" and split["stratify"] in ("auto", True):
        stratify = train_frame[target].astype(str).to_numpy()
    train, val = train_test_split(train_frame, test_size=split["validation"], stratify=stratify,
                                  seed=split["seed"])
    encoder = TabularEncoder(numeric=columns["numeric"] or None,
                             categorical=columns["categorical"] or None, target=target, task=task,
                             target_transform=config["target_transform"])
    encoder.fit(train)
    x = {"train": encoder.transform(train), "validation": encoder.transform(val)}
    y = {"train": encoder.transform_target(train), "validation": encoder.transform_target(val)}
    prepared = pipeline.Prepared(train_frame, {"train": train, "validation": val}, x, y, encoder,
                                 encoder.task, encoder.classes)
    utils.set_random_seed(seed)
    model, _ = pipeline.build_model(config, prepared)
    callbacks = []
    early = config["callbacks"]["early_stopping"]
    if early is not None:
        from neurona.callbacks import EarlyStopping
        callbacks.append(EarlyStopping(**early))
    model.fit(x["train"], y["train"], validation_data=(x["validation"], y["validation"]),
              epochs=epochs or fit["epochs"], batch_size=fit["batch_size"], callbacks=callbacks,
              verbose=verbose, class_weight=fit["class_weight"], seed=seed)

    def predict(frame):
        out = np.asarray(model.predict(encoder.transform(frame), verbose=0), dtype=np.float64)
        if encoder.task == "regression":
            return encoder.inverse_transform_target(out)
        return out[:, -1] if out.shape[1] <= 2 else out

    return model, encoder, predict


def cross_validate(name, n_folds=5, seed=0, epochs=None, sklearn=True, verbose=1):
    """K-fold CV of one case study. Returns ``{"neurona": [fold metrics], "<sklearn model>":
    [...], "seconds": {...}}``."""
    from neurona.data import TabularEncoder, read_table

    config = load_config(name)
    target = config["target"]
    frame = read_table(config["data"], target=target)
    task = TabularEncoder(target=target, task=None if config["task"] == "auto"
                          else config["task"]).fit(frame).task
    results, seconds = {"neurona": []}, {"neurona": 0.0}
    for k, (train_idx, test_idx) in enumerate(_folds(config, frame, task, n_folds, seed)):
        train, test = frame.iloc[train_idx], frame.iloc[test_idx]
        start = time.perf_counter()
        _, encoder, predict = fit_network(config, train, epochs=epochs)
        y_test = encoder.transform_target(test).astype(np.float64)
        if task == "regression":  # back from the network's units (a target_transform)
            y_test = encoder.inverse_transform_target(y_test)
        found = _metrics(task, y_test, predict(test))
        seconds["neurona"] += time.perf_counter() - start
        results["neurona"].append(found)
        line = f"  fold {k + 1}: neurona " + _fmt(found)
        if sklearn:
            label, reference = _sklearn_model(name, task, seed)
            start = time.perf_counter()
            cols = config["columns"]
            enc = TabularEncoder(numeric=cols["numeric"] or None,
                                 categorical=cols["categorical"] or None, target=target,
                                 task=encoder.task).fit(train.drop(columns=cols["drop"]))
            reference.fit(enc.transform(train), enc.transform_target(train))
            if task == "regression":
                prediction = reference.predict(enc.transform(test))
            else:
                prediction = reference.predict_proba(enc.transform(test))[:, 1]
            found = _metrics(task, y_test, prediction)
            seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start
            results.setdefault(label, []).append(found)
            line += f" | {label} " + _fmt(found)
        if verbose:
            print(line, flush=True)
    results["seconds"] = seconds
    return results


def _fmt(found):
    return " ".join(f"{k}={v:.4g}" for k, v in found.items())


def summary(results):
    """``{model: {metric: (mean, std)}}`` over the folds."""
    table = {}
    for model, folds in results.items():
        if model == "seconds":
            continue
        table[model] = {key: (float(np.mean([f[key] for f in folds])),
                              float(np.std([f[key] for f in folds]))) for key in folds[0]}
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="*", metavar="CASE",
                        help="case studies to run (default: all three)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="seed of the folds (default 0)")
    parser.add_argument("--epochs", type=int, help="override fit.epochs of the YAML")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_FOLDS} folds and {QUICK_EPOCHS} epochs (a smoke run)")
    parser.add_argument("--no-sklearn", action="store_true",
                        help="skip scikit-learn's reference model")
    args = parser.parse_args(argv)
    unknown = [name for name in args.cases if name not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r}; choose from {', '.join(CASES)}")
    folds, epochs = (QUICK_FOLDS, QUICK_EPOCHS) if args.quick else (args.folds, args.epochs)
    for name in args.cases or CASES:
        print(f"{name}: {folds}-fold CV (seed {args.seed})", flush=True)
        results = cross_validate(name, n_folds=folds, seed=args.seed, epochs=epochs,
                                 sklearn=not args.no_sklearn)
        for model, metrics in summary(results).items():
            shown = ", ".join(f"{k} {m:.4g} ± {s:.2g}" for k, (m, s) in metrics.items())
            print(f"  {model:<31} {shown}  ({results['seconds'][model]:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
