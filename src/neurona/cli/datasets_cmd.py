"""``neurona datasets [list | describe NAME | export NAME -o FILE]``: the shipped data sets."""

import json
import os

from .errors import CLIError


def add_parser(subparsers, parents):
    """Register the ``datasets`` command."""
    parser = subparsers.add_parser(
        "datasets", parents=parents, help="list, describe or export the shipped data sets",
        description="List, describe or export the real data sets shipped with neurona. "
                    "Export writes a plain CSV (with a header) that 'neurona train' reads.")
    parser.add_argument("action", nargs="?", default="list", choices=("list", "describe", "export"),
                        help="what to do (default: list)")
    parser.add_argument("name", nargs="?", help="a data set name (see 'neurona datasets list')")
    parser.add_argument("-o", "--output", help="export: the CSV file to write")
    parser.add_argument("--overwrite", action="store_true", help="export: replace an existing file")
    parser.set_defaults(handler=run)


def _catalog():
    from ..datasets import _files

    return _files


def _check_name(files, name, action):
    if not name:
        raise CLIError(f"datasets {action} needs a data set name; shipped: "
                       f"{', '.join(files.names())}")
    if name not in files.CATALOG:
        import difflib

        close = difflib.get_close_matches(name, files.names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise CLIError(f"unknown data set {name!r}{hint} Shipped: {', '.join(files.names())}")


def export_bytes(files, name):
    """The data set as CSV bytes with a header row (MNIST's file has none: one is added)."""
    data = files.read_bytes(name)
    if name == "mnist":
        header = ",".join([f"pixel{i}" for i in range(784)] + ["label"]) + "\n"
        data = header.encode("ascii") + data
    return data


def run(args):
    """Carry out ``neurona datasets``; returns the exit status."""
    files = _catalog()
    if args.action == "list":
        if args.name:
            raise CLIError("datasets list takes no name; use 'neurona datasets describe NAME'")
        width = max(len(n) for n in files.names())
        print(f"{'name':<{width}}  {'task':<10}  {'rows':>5}  target")
        for name in files.names():
            entry = files.CATALOG[name]
            print(f"{name:<{width}}  {entry['task']:<10}  {entry['rows']:>5}  {entry['target']}")
        return 0
    _check_name(files, args.name, args.action)
    if args.action == "describe":
        entry = files.describe(args.name)
        entry["train"] = (f"neurona datasets export {args.name} -o {args.name}.csv && "
                          f"neurona train {args.name}.csv --target {entry['target']}")
        print(json.dumps(entry, indent=2))
        return 0
    if not args.output:
        raise CLIError(f"datasets export needs -o FILE, e.g. -o {args.name}.csv")
    if os.path.exists(args.output) and not args.overwrite:
        raise CLIError(f"{args.output} already exists; pass --overwrite to replace it")
    from ..atomic import atomic_write

    data = export_bytes(files, args.name)
    try:
        atomic_write(args.output, lambda stream: stream.write(data))
    except (FileNotFoundError, IsADirectoryError) as err:
        raise CLIError(str(err)) from None
    print(f"wrote {args.output} ({files.CATALOG[args.name]['rows']} rows, "
          f"target {files.CATALOG[args.name]['target']!r})")
    return 0
