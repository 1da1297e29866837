"""Output of the deviation drivers; standard library only, so both the Python 3.8 legacy stack and
the Brain-Score Language venv import it (the drivers run from this folder)."""

import json
import os


def write_json(path, payload):
    """Write ``payload`` whole or not at all: a rerun takes an existing file as a finished run."""
    tmp = path + ".part"
    with open(tmp, "w") as f:
        json.dump(payload, f, indent=1)
    os.replace(tmp, path)
