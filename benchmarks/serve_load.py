"""A bounded load test of ``neurona serve`` over loopback: requests/s, p50/p99 latency, errors.

The service runs in its own process (``python -m neurona serve``), as it would in production;
``--clients`` threads each send requests one after the other (one row per request by default)
until ``--requests`` are done.

    python benchmarks/serve_load.py [RUN_DIR] [--requests 2000] [--clients 8] [--rows 1]

Without RUN_DIR a caravan run folder is trained first (1 epoch) in a temporary folder.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(os.path.dirname(REPO), "shared", "data", "caravan_customers.csv.gz")


def load_test(url, rows, requests=2000, clients=8, timeout=30.0):
    """Send ``requests`` POST /predict requests of ``rows`` from ``clients`` threads.

    Returns:
        ``{"requests", "clients", "errors", "seconds", "requests_per_s", "p50_ms", "p99_ms"}``
        (an error is any answer but 200, or a failed connection).
    """
    import httpx

    body = json.dumps({"rows": rows}).encode()
    headers = {"content-type": "application/json"}
    latencies, errors, lock = [], [0], threading.Lock()
    remaining = [requests]
    start = threading.Barrier(clients + 1)

    def client():
        with httpx.Client(timeout=timeout) as session:
            start.wait()
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                began = time.perf_counter()
                try:
                    ok = session.post(f"{url}/predict", content=body,
                                      headers=headers).status_code == 200
                except httpx.HTTPError:
                    ok = False
                elapsed = time.perf_counter() - began
                with lock:
                    latencies.append(elapsed)
                    errors[0] += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    ordered = sorted(latencies)
    return {"requests": len(latencies), "clients": clients, "errors": errors[0],
            "seconds": seconds, "requests_per_s": len(latencies) / seconds,
            "p50_ms": 1000 * statistics.median(ordered),
            "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _train(folder):
    subprocess.run([sys.executable, "-m", "neurona", "train", DATA, "--target", "Purchase",
                    "--epochs", "1", "--batch-size", "512", "--out", folder, "-q"], check=True,
                   stdout=subprocess.DEVNULL)
    return folder


def main(argv=None):
    import httpx
    import pandas as pd

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", nargs="?", help="run folder to serve (default: train one)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rows", type=int, default=1, help="rows per request")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.run_dir or _train(os.path.join(tmp, "caravan"))
        frame = pd.read_csv(DATA).drop(columns=["Purchase"]).head(args.rows)
        rows = json.loads(frame.to_json(orient="records"))
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "neurona", "serve", run_dir, "--port",
                                   str(port)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{url}/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the service did not start")
                time.sleep(0.1)
            result = load_test(url, rows, args.requests, args.clients)
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps({"rows_per_request": args.rows, **{k: round(v, 2) if isinstance(v, float)
                                                        else v for k, v in result.items()}}))
    return 0 if result["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
