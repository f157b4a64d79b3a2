"""``report.html``: one self-contained page per run (no external file, script or style sheet).

The page shows the data summary (with the class balance and the decision threshold of a
classifier), any warning about the model's decisions, the metrics on each part of the data,
every plot of the run folder embedded as a base64 PNG at its natural size, the per-epoch
history (folded), and the configuration as the run used it, so it can be mailed or archived
on its own.
"""

import base64
import html
import json
import os

from .._json import json_ready
from .display import metric_text

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 96em; padding: 0 1em;
       color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; max-width: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { text-align: center; color: #555; }
.warning { background: #fff4e5; border-left: 0.3em solid #e69500; padding: 0.5em 0.8em;
           margin: 0.4em 0; }
details summary { cursor: pointer; color: #555; }
"""


def _format(value, name=""):
    if isinstance(value, float):
        return html.escape(metric_text(name, value))
    return html.escape(str(value))


def _metrics_table(metrics):
    """Rows = metric names, columns = parts (train / validation / test)."""
    parts = [part for part in ("train", "validation", "test")
             if isinstance(metrics.get(part), dict)]
    names = []
    for part in parts:
        names += [k for k, v in metrics[part].items()
                  if k not in names and isinstance(v, (int, float)) and not isinstance(v, bool)]
    head = "".join(f"<th>{part}</th>" for part in parts)
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td>"
        + "".join(f"<td>{_format(metrics[part].get(name, ''), name)}</td>" for part in parts)
        + "</tr>" for name in names)
    return f"<table><tr><th>metric</th>{head}</tr>{rows}</table>"


def _history_table(history):
    """The per-epoch values, numbered from 1, folded under a ``<details>``."""
    if not history:
        return "<p>No epochs were run.</p>"
    keys = list(history)
    n = max(len(v) for v in history.values())
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    rows = "".join(
        f"<tr><td>{i + 1}</td>"
        + "".join(f"<td>{_format(history[k][i], k) if i < len(history[k]) else ''}</td>"
                  for k in keys)
        + "</tr>" for i in range(n))
    return (f"<details><summary>{n} epoch{'s' if n != 1 else ''} (click to show)</summary>"
            f"<table><tr><th>epoch</th>{head}</tr>{rows}</table></details>")


def _image(path):
    with open(path, "rb") as stream:
        data = base64.b64encode(stream.read()).decode("ascii")
    name = os.path.splitext(os.path.basename(path))[0].replace("_", " ")
    return (f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,{data}">'
            f"<figcaption>{html.escape(name)}</figcaption></figure>")


def _configuration(config):
    """The configuration as YAML (what ``config.yaml`` holds), JSON without PyYAML."""
    try:
        import yaml
    except ImportError:
        return json.dumps(json_ready(config), indent=2)
    return yaml.safe_dump(json_ready(config), sort_keys=False)


def write_report(path, config, summary, metrics, history, plots, details=None, warnings=()):
    """Write the self-contained HTML report.

    Args:
        path: destination file (``report.html``).
        config: the configuration as the run used it (dict).
        summary: dict describing the data (rows per part, task, classes...).
        metrics: ``{"train": {...}, "validation": {...}, "test": {...}, ...}``.
        history: ``History.history`` (name -> per-epoch list).
        plots: paths of PNG files to embed, or None when matplotlib is missing.
        details: optional preformatted text shown under the metrics (the classification
            report and confusion matrix of the test rows).
        warnings: lines shown highlighted above the metrics (e.g. a class never predicted).

    Returns:
        ``path``.
    """
    title = f"neurona run: {os.path.basename(config['data'])} → {config['target']}"
    summary_rows = "".join(f"<tr><td>{html.escape(str(k))}</td><td>{_format(v)}</td></tr>"
                           for k, v in summary.items())
    if plots is None:
        images = '<p>No plots: matplotlib is not installed (pip install "neurona[plot]").</p>'
    else:
        images = "".join(_image(p) for p in plots) or "<p>No plots.</p>"
    notes = "".join(f'<p class="warning">{html.escape(line)}</p>' for line in warnings)
    body = (
        f"<h1>{html.escape(title)}</h1>"
        f"<h2>Data</h2><table>{summary_rows}</table>"
        f"<h2>Metrics</h2>{notes}{_metrics_table(metrics)}"
        + (f"<h2>Test report</h2><pre>{html.escape(details)}</pre>" if details else "") +
        f"<h2>Plots</h2>{images}"
        f"<h2>Training history</h2>{_history_table(history)}"
        f"<h2>Configuration</h2><pre>{html.escape(_configuration(config))}</pre>"
    )
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body>{body}</body></html>\n")
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(page)
    return path
