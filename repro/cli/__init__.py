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
    "report": "report", "doctor": "doctor", "cache": "cache", "sweep": "sweep", "bench": "bench", "compare": "compare",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repro",
        description="Reproducible, fast scoring of language models against brain recordings.",
        epilog="example: repro score --model gpt2 --benchmark Pereira2018-encoding --output gpt2.json",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bars")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what is cached and what is computed")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS.values():
        try:
            mod = importlib.import_module(f"{__name__}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module}":
                continue  # command not shipped in this build
            raise
        mod.add_parser(sub)
    return parser


GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    # -q/-v are accepted anywhere on the line, not only before the command
    argv = [a for a in argv if a in GLOBAL_FLAGS] + [a for a in argv if a not in GLOBAL_FLAGS]
    args = parser.parse_args(argv)
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
