"""Tests of repro.legacy against the REAL neural-nlp stack; they run inside .venv-legacy (Python 3.8):

    HOME=<dir with .neural_nlp -> golden/legacy/s3> RESULTCACHING_HOME=<tmp> USE_TF=0 HF_HUB_OFFLINE=1 \\
        .venv-legacy/bin/python -m pytest --confcutdir=tests/legacy tests/legacy/real

tests/legacy/test_real_stack.py does exactly that from the main test suite (neural-nlp's S3 loader reads
~/.neural_nlp when neural_nlp is imported, so HOME must point at the golden data before Python starts).
Elsewhere (no neural_nlp importable) every test here is skipped.
"""

import os

import pytest

GOLDEN = os.environ.get("REPRO_GOLDEN") or os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "shared", "golden"))


@pytest.fixture(scope="session")
def golden():
    if not os.path.isdir(GOLDEN):
        pytest.skip(f"no golden folder at {GOLDEN}")
    return GOLDEN


@pytest.fixture(scope="session")
def real_neural_nlp(golden):
    home_data = os.path.join(os.path.expanduser("~"), ".neural_nlp")
    if not os.path.isfile(os.path.join(home_data, "Pereira2018.nc")):
        pytest.skip("~/.neural_nlp has no S3 files: run through tests/legacy/test_real_stack.py")
    return pytest.importorskip("neural_nlp")
