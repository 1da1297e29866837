"""Exit 0 when a Docker engine answers (socket or DOCKER_HOST), 1 otherwise; the reason goes to stderr.

Used by the Makefile to choose the legacy engine for `make reproduce-gpt2`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from repro.engines.legacy_docker import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["reachable"]))
