"""``neurona serve``: real HTTP requests to uvicorn on loopback: predictions equal
``neurona predict``'s, errors are 422 with the row, column and reason, limits are 413, and a
bounded load test has no errors."""

import json

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
httpx = pytest.importorskip("httpx")
pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from neurona.serve import create_app  # noqa: E402
from neurona.serve.testing import running  # noqa: E402

from ..helpers import run_cli  # noqa: E402


@pytest.fixture(scope="module")
def caravan(data_dir, tmp_path_factory):
    from neurona.cli import main

    folder = tmp_path_factory.mktemp("serve") / "run"
    assert main(["train", str(data_dir / "caravan_customers.csv"), "--target", "Purchase",
                 "--epochs", "1", "--batch-size", "512", "--out", str(folder), "-q"]) == 0
    rows = pd.read_csv(data_dir / "caravan_customers.csv").head(30)
    return folder, rows


@pytest.fixture(scope="module")
def service(caravan):
    folder, _ = caravan
    with running(create_app(folder, max_rows=50, max_body_bytes=200_000)) as url:
        yield url


def _records(rows):
    return json.loads(rows.drop(columns=["Purchase"]).to_json(orient="records"))


def test_predictions_equal_neurona_predict(caravan, service, tmp_path, capsys):
    folder, rows = caravan
    rows.to_csv(tmp_path / "rows.csv", index=False)
    assert run_cli(capsys, "predict", folder, tmp_path / "rows.csv", "-o",
                   tmp_path / "p.csv")[0] == 0
    want = pd.read_csv(tmp_path / "p.csv")
    answer = httpx.post(f"{service}/predict", json={"rows": _records(rows)})
    assert answer.status_code == 200
    got = pd.DataFrame(answer.json()["predictions"])
    assert list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got["probability_Yes"], want["probability_Yes"], rtol=1e-6)
    assert (got["predicted_Purchase"] == want["predicted_Purchase"]).all()
    bare = httpx.post(f"{service}/predict", json=_records(rows.head(2)))  # a bare list works
    assert bare.status_code == 200 and len(bare.json()["predictions"]) == 2


def test_health_and_metadata(service, caravan):
    assert httpx.get(f"{service}/health").json() == {"status": "ok"}
    meta = httpx.get(f"{service}/metadata").json()
    assert meta["task"] == "binary" and meta["target"] == "Purchase"
    from neurona.cli.inference import load_bundle
    _, preprocessing, _ = load_bundle(caravan[0])
    chosen = preprocessing["threshold"]["value"]           # F1's threshold on the validation rows
    assert meta["classes"] == ["No", "Yes"] and meta["threshold"] == chosen
    assert chosen != 0.5 and 0 < chosen < 1
    assert meta["outputs"] == ["probability_No", "probability_Yes", "predicted_Purchase"]
    names = [c["name"] for c in meta["columns"]]
    assert names == [c for c in caravan[1].columns if c != "Purchase"]
    assert {c["kind"] for c in meta["columns"]} <= {"numeric", "categorical"}
    assert meta["limits"] == {"max_rows": 50, "max_body_bytes": 200_000}
    assert meta["neurona_version"]


def test_bad_rows_are_422_naming_row_column_and_reason(service, caravan):
    records = _records(caravan[1].head(3))
    first_numeric = next(c["name"] for c in httpx.get(f"{service}/metadata").json()["columns"]
                         if c["kind"] == "numeric")
    cases = [
        (lambda r: r[1].pop(first_numeric), 1, first_numeric, "missing"),
        (lambda r: r[2].__setitem__(first_numeric, "many"), 2, first_numeric,
         "expected a number"),
        (lambda r: r[0].__setitem__(first_numeric, True), 0, first_numeric, "expected a number"),
        (lambda r: r[0].__setitem__(first_numeric, [1, 2]), 0, first_numeric,
         "expected a number"),
    ]
    for edit, row, column, reason in cases:
        broken = json.loads(json.dumps(records))
        edit(broken)
        answer = httpx.post(f"{service}/predict", json={"rows": broken})
        assert answer.status_code == 422
        body = answer.json()
        assert body["row"] == row and body["column"] == column and reason in body["reason"]
    for payload, reason in (({"rows": []}, "no rows"), ({"rows": [1]}, "must be an object"),
                            ({"data": records}, "unknown keys"), ("text", "must be")):
        answer = httpx.post(f"{service}/predict", json=payload)
        assert answer.status_code == 422 and reason in answer.json()["reason"]
    answer = httpx.post(f"{service}/predict", content=b"{not json",
                        headers={"content-type": "application/json"})
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["error"]
    nan = json.dumps({"rows": [dict(records[0], **{first_numeric: float("nan")})]})
    assert "NaN" in nan and httpx.post(f"{service}/predict", content=nan).status_code == 400
    missing = json.loads(json.dumps(records))
    missing[0][first_numeric] = None  # null: the training mean, as neurona predict does
    answer = httpx.post(f"{service}/predict", json={"rows": missing})
    assert answer.status_code == 200 and first_numeric in answer.json()["warnings"][0]


def test_size_and_row_limits_are_413_before_any_work(service, caravan):
    records = _records(caravan[1].head(1))
    answer = httpx.post(f"{service}/predict", json={"rows": records * 51})
    assert answer.status_code == 413 and "51 rows exceed the limit of 50" in answer.json()["error"]
    big = b'{"rows": [' + b" " * 250_000 + b"]}"
    answer = httpx.post(f"{service}/predict", content=big)
    assert answer.status_code == 413 and "exceeds 200000 bytes" in answer.json()["error"]

    def chunks():  # no Content-Length: the stream is cut at the limit
        for _ in range(30):
            yield b" " * 10_000

    answer = httpx.post(f"{service}/predict", content=chunks())
    assert answer.status_code == 413
    assert httpx.get(f"{service}/predict").status_code == 405


def test_a_bounded_load_has_no_errors(service, caravan):
    from benchmarks.serve_load import load_test

    result = load_test(service, _records(caravan[1].head(1)), requests=160, clients=4)
    assert result["errors"] == 0 and result["requests"] == 160
    assert result["p50_ms"] > 0 and result["p99_ms"] >= result["p50_ms"]


def test_serve_refuses_a_model_file_without_an_encoder_and_bad_limits(tmp_path):
    import neurona as nk

    model = nk.Sequential([nk.Input((2,)), nk.layers.Dense(1)])
    model.save(tmp_path / "plain.neurona")
    with pytest.raises(ValueError, match="carries no encoder"):
        create_app(tmp_path / "plain.neurona")
    with pytest.raises(ValueError, match="max_rows must be a positive int"):
        create_app(tmp_path / "plain.neurona", max_rows=0)
