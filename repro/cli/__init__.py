"""`repro` command line: a thin shell over the Python API (one module per command)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from ..errors import ReproError

# command name -> module in this package; each module has add_parser(subparsers) and run(args)
COMMANDS = {
    "score": "score", "activations": "activations", "ls": "ls", "cka": "cka", "reproduce": "reproduce",
    "report": "report", "doctor": "doctor", "cache": "cache", "sweep": "sweep", "bench": "bench", "demo": "demo",
    "compare": "compare",
}


def _flags(parser: argparse.ArgumentParser, default) -> argparse.ArgumentParser:
    parser.add_argument("-q", "--quiet", action="store_true", default=default, help="no progress bars")
    parser.add_argument("-v", "--verbose", action="store_true", default=default,
                        help="log what is cached and what is computed")
    return parser


class _Subcommands:
    """``add_subparsers()`` whose every command also takes -q/-v (anywhere on the line) and keeps the
    line breaks of its description and examples."""

    def __init__(self, sub, parents):
        self._sub, self._parents = sub, parents

    def add_parser(self, name, **kwargs):
        kwargs["parents"] = [*kwargs.get("parents", []), *self._parents]
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return self._sub.add_parser(name, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = _flags(argparse.ArgumentParser(
        prog="repro",
        description="Reproducible, fast scoring of language models against brain recordings.",
        epilog="example: repro score --model gpt2 --benchmark Pereira2018-encoding --output gpt2.json",
        formatter_class=argparse.RawDescriptionHelpFormatter), default=False)
    # SUPPRESS: a flag given after the command sets the value, one not given leaves the global one
    common = _flags(argparse.ArgumentParser(add_help=False), default=argparse.SUPPRESS)
    sub = _Subcommands(parser.add_subparsers(dest="command", metavar="COMMAND"), [common])
    for module in COMMANDS.values():
        importlib.import_module(f"{__name__}.{module}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    if getattr(args, "passthrough", False):
        args.rest = rest  # `repro bench`: the script parses its own options
    elif rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s: %(message)s", stream=sys.stderr)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except ReproError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `repro ls | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted; rerun the same command to resume from the caches", file=sys.stderr)
        return 130
