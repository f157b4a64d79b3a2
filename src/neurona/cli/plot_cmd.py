"""``neurona plot activations|optimizers|learning-rate -o FILE``: the course's pictures."""

import os

from .errors import CLIError

KINDS = {
    "activations": ("plot_activations", "activation functions and their derivatives"),
    "optimizers": ("plot_optimizer_paths", "paths of the optimizers on a test surface"),
    "learning-rate": ("plot_learning_rates", "learning-rate schedules over the steps"),
}


def add_parser(subparsers, parents):
    """Register the ``plot`` command."""
    kinds = "; ".join(f"{name}: {what}" for name, (_, what) in KINDS.items())
    parser = subparsers.add_parser(
        "plot", parents=parents, help="draw activations, optimizer paths or learning rates",
        description=f"Draw one of the course's pictures to a PNG (or PDF/SVG) file. {kinds}.")
    parser.add_argument("kind", choices=tuple(KINDS), help="what to draw")
    parser.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="image file to write (.png, .pdf, .svg)")
    parser.set_defaults(handler=run)


def run(args):
    """Carry out ``neurona plot``; returns the exit status."""
    directory = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(directory):
        raise CLIError(f"-o {args.output}: the folder {directory} does not exist")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CLIError("plotting needs matplotlib: pip install 'neurona[plot]'") from None
    from .. import plotting

    figure = getattr(plotting, KINDS[args.kind][0])()
    if isinstance(figure, tuple):  # plot_learning_rates also returns the steps per rate
        figure = figure[0]
    figure.savefig(args.output, dpi=100)  # the format follows the file's extension
    print(f"wrote {args.output}")
    return 0
