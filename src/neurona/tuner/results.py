"""What a study found: the leaderboard, the chosen trial (Pareto front and constraints), and
the plots, all read back from the study's storage."""

import math
import os
import warnings

__all__ = ["leaderboard", "format_leaderboard", "pareto_front", "choose_best", "write_plots"]


def _objective_values(trial, objectives):
    if trial.values is None:
        return [math.nan] * len(objectives)
    return list(trial.values)


def feasible(trial, constraints):
    """Whether a finished trial satisfies every constraint."""
    metrics = trial.user_attrs.get("metrics") or {}
    return all(c.violation(metrics) <= 0 for c in constraints)


def leaderboard(study, objectives, constraints=()):
    """Every trial as a row: number, state, objectives, every validation metric, parameters,
    epochs, duration, reason (failed/pruned); best first (finished trials by the first
    objective, then the others by number).

    Returns:
        A pandas DataFrame.
    """
    import pandas as pd

    rows = []
    for trial in study.trials:
        row = {"trial": trial.number, "state": trial.state.name}
        for objective, value in zip(objectives, _objective_values(trial, objectives)):
            row[f"objective:{objective.name}"] = value
        if constraints:
            row["feasible"] = feasible(trial, constraints) if trial.values else False
        for name, value in (trial.user_attrs.get("metrics") or {}).items():
            row[name] = value
        for name, value in trial.params.items():
            row[f"param:{name}"] = value
        row["epochs"] = trial.user_attrs.get("epochs")
        row["duration_s"] = trial.user_attrs.get("duration_s")
        row["reason"] = trial.user_attrs.get("reason")
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    first = objectives[0]
    key = f"objective:{first.name}"
    frame["_done"] = frame["state"] == "COMPLETE"
    frame = frame.sort_values(["_done", key, "trial"],
                              ascending=[False, first.direction == "minimize", True],
                              na_position="last", kind="stable")
    return frame.drop(columns="_done").reset_index(drop=True)


def format_leaderboard(frame, limit=10):
    """The top rows of the leaderboard as a text table (objectives, parameters, state)."""
    if frame.empty:
        return "(no trials)"
    shown = [c for c in frame.columns if c.startswith(("objective:", "param:"))]
    columns = ["trial", "state"] + shown + ["epochs", "duration_s"]
    if "feasible" in frame.columns:
        columns.insert(2, "feasible")
    table = frame[columns].head(limit).copy()
    table.columns = [c.split(":", 1)[-1] for c in columns]
    return table.to_string(index=False, float_format=lambda v: f"{v:.4g}")


def pareto_front(study, constraints=()):
    """The completed trials no other completed trial beats on every objective (feasible
    ones only, when there are constraints and some trial meets them)."""
    front = list(study.best_trials)
    if constraints:
        kept = [t for t in front if feasible(t, constraints)]
        if kept:
            return kept
        feasible_trials = [t for t in study.trials if t.values and feasible(t, constraints)]
        return _non_dominated(feasible_trials, study.directions)
    return front


def _non_dominated(trials, directions):
    def dominates(a, b):
        signs = [1 if d.name == "MINIMIZE" else -1 for d in directions]
        pairs = [(s * x, s * y) for s, x, y in zip(signs, a.values, b.values)]
        return all(x <= y for x, y in pairs) and any(x < y for x, y in pairs)
    return [t for t in trials if not any(dominates(o, t) for o in trials if o is not t)]


def choose_best(study, objectives, constraints=()):
    """The trial to keep: among the completed trials that meet the constraints (all of them
    when there are none), the best by the first objective; with several objectives, chosen
    from the Pareto front the same way. None when no trial completed (or none is feasible).
    """
    if len(objectives) > 1:
        candidates = pareto_front(study, constraints)
    else:
        candidates = [t for t in study.trials if t.values is not None
                      and t.state.name == "COMPLETE"]
    candidates = [t for t in candidates if not constraints or feasible(t, constraints)]
    candidates = [t for t in candidates if math.isfinite(t.values[0])]
    if not candidates:
        return None
    sign = 1 if objectives[0].direction == "minimize" else -1
    return min(candidates, key=lambda t: (sign * t.values[0], t.number))


def write_plots(study, objectives, folder):
    """Optimization history, parameter importances and (several objectives) the Pareto front,
    as PNG files in ``folder``. Returns ``{name: path}`` of those written (importances need
    two completed trials with different parameters)."""
    import matplotlib.pyplot as plt  # Optuna's plots draw with pyplot; each figure is closed
    from optuna.visualization import matplotlib as optuna_plots

    completed = [t for t in study.trials if t.state.name == "COMPLETE"]
    if not completed:
        return {}
    single = len(objectives) == 1
    target = None if single else (lambda t: t.values[0])
    name = objectives[0].name
    plots = {"optimization_history": lambda: optuna_plots.plot_optimization_history(
                 study, target=target, target_name=name)}
    if len(completed) >= 2:
        plots["param_importances"] = lambda: optuna_plots.plot_param_importances(
            study, target=target, target_name=name)
    if not single:
        plots["pareto_front"] = lambda: optuna_plots.plot_pareto_front(
            study, target_names=[o.name for o in objectives[:3]],
            targets=None if len(objectives) <= 3 else (lambda t: t.values[:3]))
    written = {}
    for key, draw in plots.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Optuna marks its matplotlib plots experimental
            try:
                axes = draw()
            except (ValueError, RuntimeError, ZeroDivisionError):
                continue  # e.g. importances when every trial drew the same values
        figure = axes.figure if hasattr(axes, "figure") else plt.gcf()
        figure.set_size_inches(8, 5)
        figure.tight_layout()
        path = os.path.join(folder, f"{key}.png")
        figure.savefig(path, dpi=100)
        plt.close(figure)
        written[key] = path
    return written
