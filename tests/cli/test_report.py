"""``report.html`` of a run: the configuration as used, plots at their natural size, the
history folded, the metrics with their units, warnings and a classifier's decision facts."""

import html
import re

import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from neurona.cli.report import write_report  # noqa: E402


def test_the_report_shows_the_configuration_as_the_run_used_it(boston_run):
    import yaml

    page = (boston_run / "report.html").read_text()
    shown = yaml.safe_load(html.unescape(page.split("<h2>Configuration</h2><pre>")[1]
                                         .split("</pre>")[0]))
    saved = yaml.safe_load((boston_run / "config.yaml").read_text())
    # the resolved values, not the request's nulls: the loss, the metrics, the seed, the task
    # and the columns' kinds as inferred
    for config in (shown, saved):
        assert config["compile"]["loss"] == "mse" and config["compile"]["metrics"] == ["mae"]
        assert config["fit"]["seed"] == 0 and config["task"] == "regression"
        assert "crim" in config["columns"]["numeric"] and config["columns"]["categorical"] == \
            ["chas"]
    assert "Dense(1, activation=&#x27;linear&#x27;)" in page and "<td>seed</td><td>0</td>" in page
    assert "medv (k$)" in page


def test_plots_keep_their_natural_size_and_the_history_is_folded(boston_run):
    page = (boston_run / "report.html").read_text()
    assert "34em" not in page and "figure img { max-width: 100%; height: auto;" in page
    history = page.split("<h2>Training history</h2>")[1]
    assert history.startswith("<details><summary>4 epochs")
    numbers = re.findall(r"<tr><td>(\d+)</td>", history)
    assert numbers == ["1", "2", "3", "4"]  # epochs from 1, as the console prints them


def test_mape_is_a_percentage_in_the_report(boston_run):
    import json

    metrics = json.loads((boston_run / "metrics.json").read_text())
    page = (boston_run / "report.html").read_text()
    assert f"<td>mape</td><td>{metrics['train']['mape']:.4g}%</td>" in page


def test_write_report_without_plots_and_with_warnings(tmp_path):
    config = {"data": "d.csv", "target": "y"}
    path = write_report(tmp_path / "r.html", config, {"task": "binary"},
                        {"test": {"accuracy": 0.5}}, {"loss": [1.0]}, None,
                        warnings=["the model never predicts 'Yes'"])
    page = path.read_text()
    assert 'No plots: matplotlib is not installed (pip install "neurona[plot]")' in page
    assert '<p class="warning">the model never predicts &#x27;Yes&#x27;</p>' in page
    assert "<td>accuracy</td><td>0.5</td>" in page
