"""``neurona serve RUN_DIR``: POST /predict, GET /health, GET /metadata on 127.0.0.1."""

from .errors import CLIError


def add_parser(subparsers, parents):
    """Register the ``serve`` command."""
    from ..serve.app import MAX_BODY_BYTES, MAX_ROWS

    p = subparsers.add_parser(
        "serve", parents=parents, help="serve a trained model over HTTP",
        description="Serve a run folder's model: POST /predict with JSON rows of the raw "
                    "columns ({\"rows\": [{column: value}, ...]}), GET /health, GET /metadata. "
                    "Binds 127.0.0.1 (this machine only) unless --host says otherwise; there "
                    "is no authentication.")
    p.add_argument("model", metavar="RUN_DIR", help="run folder (or its model.neurona)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")
    p.add_argument("--max-rows", type=int, default=MAX_ROWS,
                   help=f"most rows per request (default {MAX_ROWS})")
    p.add_argument("--max-body-bytes", type=int, default=MAX_BODY_BYTES,
                   help=f"largest request body (default {MAX_BODY_BYTES})")
    p.set_defaults(handler=run_serve)


def run_serve(args):
    """Carry out ``neurona serve`` (returns when interrupted); returns the exit status."""
    from ..serve import serve

    if not 0 < args.port < 65536:
        raise CLIError(f"--port must be in 1..65535, got {args.port}")
    try:
        serve(args.model, host=args.host, port=args.port, max_rows=args.max_rows,
              max_body_bytes=args.max_body_bytes)
    except ImportError as err:
        raise CLIError(str(err)) from None
    return 0
