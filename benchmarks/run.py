#!/usr/bin/env python
"""`python benchmarks/run.py` = `repro bench` (repro/bench/run.py), for a checkout without an install."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repro.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
