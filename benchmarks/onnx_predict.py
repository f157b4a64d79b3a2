"""ONNX Runtime's predict latency vs neurona's, for a run folder exported with its
preprocessing: 1 row and 100,000 rows, raw table in, neurona predict's columns out.

Each figure is the median of ``--repeats`` calls (after one warm-up call). "neurona" is what
``neurona predict`` does (encoder.transform, model.predict, the prediction columns); "neurona
model" is ``model.predict`` on already encoded features; "ONNX Runtime" runs the exported graph
(preprocessing included) on the raw columns, one thread and all threads.

    python benchmarks/onnx_predict.py [RUN_DIR] [--repeats 5] [--rows 1,100000]

Without RUN_DIR a caravan run folder is trained first (1 epoch) in a temporary folder.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(os.path.dirname(REPO), "shared", "data", "caravan_customers.csv.gz")


def _median_ms(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def main(argv=None):
    import numpy as np
    import onnxruntime as ort
    import pandas as pd

    from neurona.cli.inference import load_bundle, predict_rows, prediction_frame
    from neurona.data import MissingValueWarning  # noqa: F401  (the data has no missing cells)
    from neurona.export import export_onnx
    from neurona.export.tabular import onnx_inputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", nargs="?")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", default="1,100000")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.run_dir
        if run_dir is None:
            run_dir = os.path.join(tmp, "caravan")
            subprocess.run([sys.executable, "-m", "neurona", "train", DATA, "--target",
                            "Purchase", "--epochs", "1", "--batch-size", "512", "--out", run_dir,
                            "-q"], check=True, stdout=subprocess.DEVNULL)
        model, preprocessing, encoder = load_bundle(run_dir)
        path = os.path.join(tmp, "model.onnx")
        export_onnx(model, path, preprocessing=preprocessing)
        table = pd.read_csv(DATA)
        sessions = {}
        for threads in (1, 0):
            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            sessions[threads] = ort.InferenceSession(path, options,
                                                     providers=["CPUExecutionProvider"])
        results = []
        for n in (int(v) for v in args.rows.split(",")):
            rows = table.sample(n, replace=n > len(table), random_state=0).reset_index(drop=True)
            features = encoder.transform(rows)
            feeds = onnx_inputs(rows, preprocessing)
            outputs = sessions[0].run(None, feeds)
            want = prediction_frame(predict_rows(model, preprocessing, encoder, rows),
                                    preprocessing, encoder)
            worst = float(np.max(np.abs(outputs[1] - want.iloc[:, 1].to_numpy())))
            results.append({
                "rows": n,
                "neurona_ms": _median_ms(lambda: prediction_frame(predict_rows(
                    model, preprocessing, encoder, rows), preprocessing, encoder), args.repeats),
                "neurona_model_ms": _median_ms(lambda: model.predict(features, verbose=0),
                                               args.repeats),
                "onnxruntime_1_thread_ms": _median_ms(lambda: sessions[1].run(None, feeds),
                                                      args.repeats),
                "onnxruntime_ms": _median_ms(lambda: sessions[0].run(None, feeds),
                                             args.repeats),
                "onnxruntime_with_feeds_ms": _median_ms(
                    lambda: sessions[0].run(None, onnx_inputs(rows, preprocessing)),
                    args.repeats),
                "max_abs_difference": worst,
            })
    for result in results:
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v
                          for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
