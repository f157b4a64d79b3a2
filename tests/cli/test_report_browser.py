"""The run report (``report.html``) as a browser sees it: headless Chromium opens the page of a
real (small) run, without console or JavaScript errors, with the metrics table in the DOM, every
embedded PNG decoded by the browser (naturalWidth > 0), and a screenshot that is not blank.

Skipped when /usr/bin/chromium is missing, except in CI (CI=true), where ``.ci/run`` installs it
and its absence is a failure."""

import base64
import io
import os
import re
import subprocess
import tempfile

import numpy as np
import pytest

pytest.importorskip("pandas")
pytest.importorskip("matplotlib")

from neurona.cli import main  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]
PROBE = """<script>
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var out = document.createElement("pre");
  out.id = "neurona-probe";
  out.textContent = "IMAGES:" + images.map(function (img) {
    return img.complete + ":" + img.naturalWidth + "x" + img.naturalHeight;
  }).join(",") + ";TABLES:" + document.querySelectorAll("table").length;
  document.body.appendChild(out);
});
</script>"""


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing in CI (.ci/run should install Debian's chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    return CHROMIUM


def _browse(chromium, *args, timeout=120):
    """Run headless Chromium with a fresh profile -> CompletedProcess (text stdout/stderr)."""
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *args],
                              capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)


def _console_errors(stderr):
    """Console lines of the page. Chromium logs them as ``INFO:CONSOLE`` (errors included:
    ``"Uncaught ReferenceError: ..."``); the report has no script of its own and the probe logs
    nothing, so any console line is a failure."""
    return [line for line in stderr.splitlines() if "Uncaught" in line or ":CONSOLE" in line]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report_browser")
    data = folder / "boston_housing.csv"
    assert main(["datasets", "export", "boston_housing", "-o", str(data)]) == 0
    out = folder / "run"
    assert main(["train", str(data), "--target", "medv", "--epochs", "3", "--layers", "16",
                 "--out", str(out), "-q"]) == 0
    return out / "report.html"


def test_embedded_pngs_decode(report):
    import matplotlib.image as mpimg

    sources = re.findall(r'src="data:image/png;base64,([^"]+)"', report.read_text())
    assert len(sources) == 3
    for source in sources:
        image = mpimg.imread(io.BytesIO(base64.b64decode(source)), format="png")
        assert image.ndim == 3 and image.shape[0] > 50 and image.shape[1] > 50
        assert float(np.std(image)) > 0.01


def test_dom_has_the_metrics_table_and_decoded_images(chromium, report, tmp_path):
    page = report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>")
    probed = tmp_path / "probed.html"
    probed.write_text(page, encoding="utf-8")
    result = _browse(chromium, "--virtual-time-budget=5000", "--dump-dom", probed.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert not _console_errors(result.stderr), _console_errors(result.stderr)
    dom = result.stdout
    assert "<h2>Metrics</h2>" in dom
    metrics = dom.split("<h2>Metrics</h2>", 1)[1]
    assert metrics.startswith("<table>") and "<th>test</th>" in metrics
    assert all(f"<td>{name}</td>" in metrics for name in ("loss", "mae", "rmse", "r2"))
    probe = re.search(r'<pre id="neurona-probe">IMAGES:([^;]*);TABLES:(\d+)</pre>', dom)
    assert probe, "the probe script did not run: " + dom[-500:]
    images = probe.group(1).split(",")
    assert len(images) == 3 and int(probe.group(2)) >= 3
    for image in images:
        complete, size = image.split(":")
        width, height = (int(v) for v in size.split("x"))
        assert complete == "true" and width > 0 and height > 0, images


def test_page_loads_cleanly_and_screenshot_is_not_blank(chromium, report, tmp_path):
    from PIL import Image

    shot = tmp_path / "report.png"
    result = _browse(chromium, f"--screenshot={shot}", "--window-size=1200,2000",
                     "--hide-scrollbars", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert not _console_errors(result.stderr), _console_errors(result.stderr)
    assert shot.exists() and shot.stat().st_size > 1000
    pixels = np.asarray(Image.open(shot).convert("RGB"), dtype=np.float64)
    assert pixels.shape[:2] == (2000, 1200)
    assert pixels.std() > 10
    non_white = np.any(pixels < 245, axis=-1).mean()
    assert non_white > 0.03, non_white
