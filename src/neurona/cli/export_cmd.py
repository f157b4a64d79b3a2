"""``neurona export RUN_DIR --format onnx``: the trained model and its preprocessing as one
ONNX file for ONNX Runtime (raw table rows in, ``neurona predict``'s columns out)."""

import os

from .errors import CLIError

FORMATS = ("onnx",)


def add_parser(subparsers, parents):
    """Register the ``export`` command."""
    p = subparsers.add_parser(
        "export", parents=parents, help="export a trained model (and its preprocessing) to ONNX",
        description="Write the model of a run folder (or a model file) as an ONNX graph. With "
                    "a run folder's encoder, the graph takes the raw columns as named inputs "
                    "(numbers as double, categories as strings; '' for a missing value) and "
                    "returns what 'neurona predict' returns.")
    p.add_argument("model", metavar="MODEL", help="run folder or model file")
    p.add_argument("--format", choices=FORMATS, default="onnx", help="the format (onnx)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="file to write (default: model.onnx in the run folder, or the model "
                        "file's name with .onnx)")
    p.add_argument("--opset", type=int, default=None, metavar="N",
                   help="the ONNX opset (default 17)")
    p.set_defaults(handler=run_export)


def default_output(model_path):
    """Where the export goes when ``-o`` is not given."""
    if os.path.isdir(model_path):
        return os.path.join(model_path, "model.onnx")
    return os.path.splitext(model_path)[0] + ".onnx"


def run_export(args):
    """Carry out ``neurona export``; returns the exit status."""
    from ..export import export_onnx
    from .inference import load_bundle

    model, preprocessing, _ = load_bundle(args.model)
    output = args.output or default_output(args.model)
    try:
        export_onnx(model, output, opset_version=args.opset, preprocessing=preprocessing)
    except ImportError as err:
        raise CLIError(str(err)) from None
    columns = "raw columns" if preprocessing is not None else "feature arrays"
    print(f"wrote {output} (ONNX, takes {columns})")
    return 0
