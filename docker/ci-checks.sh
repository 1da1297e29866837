#!/usr/bin/env bash
# Checks of the legacy engine that .ci/run calls (no Docker engine needed; PyPI is used, S3/HF are not):
#   1. hadolint on both Dockerfiles            2. vermin: repro/legacy needs nothing newer than Python 3.8
#   3. the pinned PyPI set resolves for CPython 3.8 / Linux x86_64 and is closed (pip adds nothing)
#   4. torch 2.4.1 and its CUDA wheels exist for cp38 on PyPI (index only: the wheels are ~3 GB)
#   5. the contract tests under Python 3.8 in .venv38 (created here, reused while its pins are unchanged)
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY38=${PY38:-/root/.pyenv/versions/3.8.18/bin/python3.8}
VENV38=${VENV38:-.venv38}
step() { echo "== legacy engine: $*"; }

step "hadolint Dockerfile.cpu Dockerfile.cuda"
"$VENV/bin/hadolint" --failure-threshold info Dockerfile.cpu Dockerfile.cuda

step "vermin (target 3.8)"
"$VENV/bin/vermin" -t=3.8- --violations --no-tips -q repro/legacy tests/legacy/standin tests/legacy/conftest.py \
    tests/legacy/legacy_fakes.py tests/legacy/test_contract_registration.py tests/legacy/test_contract_score.py

step "Python 3.8 venv $VENV38"
stamp="$VENV38/.requirements-py38.txt"
if ! cmp -s tests/legacy/requirements-py38.txt "$stamp" || ! "$VENV38/bin/python" -c 'import pytest' 2>/dev/null; then
    "$PY38" -m venv --clear "$VENV38"
    "$VENV38/bin/python" -m pip install -q --disable-pip-version-check "$(grep '^pip==' tests/legacy/requirements-py38.txt)" \
        2> >(grep -v "^WARNING: Location" >&2)
    "$VENV38/bin/python" -m pip install -q -r tests/legacy/requirements-py38.txt 2> >(grep -v "^WARNING: Location" >&2)
    cp tests/legacy/requirements-py38.txt "$stamp"
fi

step "resolve conda/requirements-py38.lock.txt for CPython 3.8, Linux x86_64, wheels only"
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$VENV38/bin/python" -m pip install --dry-run --ignore-installed --only-binary :all: --quiet \
    --disable-pip-version-check --report "$report" -r conda/requirements-py38.lock.txt 2> >(grep -v '^WARNING: Location' >&2)
"$VENV38/bin/python" - "$report" conda/requirements-py38.lock.txt <<'PY'
import json, re, sys
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
resolved = {norm(i["metadata"]["name"]): i["metadata"]["version"] for i in json.load(open(sys.argv[1]))["install"]}
locked = {}
for line in open(sys.argv[2]):
    spec = line.split("#")[0].strip()
    if spec:
        name, _, version = spec.partition("==")
        locked[norm(name)] = version
if resolved != locked:
    extra = sorted(set(resolved.items()) - set(locked.items()))
    missing = sorted(set(locked.items()) - set(resolved.items()))
    sys.exit("lock is not closed: pip would add %s and drop %s" % (extra, missing))
print("%d pinned packages resolve for CPython 3.8 with nothing added" % len(locked))
PY

step "torch and CUDA wheels for cp38 exist (index pages only)"
grep -hv '^\s*\(#\|--\|$\)' conda/torch-cuda.txt | awk '{print $1}' | while IFS='=' read -r name _ version; do
    if ! "$VENV38/bin/python" -m pip index versions "$name" --only-binary :all: --disable-pip-version-check 2>/dev/null \
        | grep -q "Available versions:.*\b${version//./\\.}\b"; then
        echo "no cp38 wheel of $name==$version on the index" >&2
        exit 1
    fi
done
echo "conda/torch-cuda.txt: all pins available for cp38"

step "contract tests under Python 3.8"
"$VENV38/bin/python" -m pytest -q --confcutdir=tests/legacy -p no:cacheprovider \
    tests/legacy/test_contract_registration.py tests/legacy/test_contract_score.py
