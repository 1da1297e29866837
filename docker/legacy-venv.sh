#!/usr/bin/env bash
# Builds .venv-legacy: the real legacy stack (neural-nlp and friends at the pinned commits) in a plain venv of a
# CPython 3.8, for `repro score --engine legacy --legacy-python .venv-legacy/bin/python` without Docker.
#   PY38=python3.8       the interpreter (a conda env's python works too)
#   VENV=.venv-legacy    where the venv goes
#   REPRO_LEGACY_SOURCES, REPRO_WHEELHOUSE: see docker/install-legacy-env.sh (offline / archival builds)
# Idempotent: a stamp keyed by the hash of every pin file skips an up-to-date venv. Atomic: the venv is built in
# $VENV.part and moved into place only after `python -m repro.legacy doctor` passes, so a failed or interrupted
# build never leaves a half-made $VENV.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
VENV=$(realpath -m "${VENV:-.venv-legacy}")
part="$VENV.part"
is_py38() { "$1" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 8))' >/dev/null 2>&1; }

# PY38 if given; else python3.8 on PATH, else a pyenv-installed 3.8 (pyenv's shim only answers where a
# .python-version selects it)
if [ -z "${PY38:-}" ] || [ "$PY38" = python3.8 ]; then
    for candidate in python3.8 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.8*/bin/python3.8; do
        if is_py38 "$candidate"; then PY38=$candidate; break; fi
    done
fi
PY38=${PY38:-python3.8}
if ! is_py38 "$PY38"; then
    echo "error: '$PY38' is not a working Python 3.8 (set PY38=/path/to/python3.8, e.g. a conda env's python)" >&2
    exit 2
fi

# the stamp: the pins that decide the venv's contents (git or a checked tarball of the same commit: same code)
key=$({
    cat conda/requirements-py38.lock.txt conda/torch-pypi.txt conda/git-pins.txt tests/legacy/requirements-py38.txt
    "$PY38" -c 'import platform; print(platform.python_version())'
} | sha256sum | cut -d' ' -f1)
if [ -f "$VENV/.repro-legacy-stamp" ] && [ "$(cat "$VENV/.repro-legacy-stamp")" = "$key" ] \
    && "$VENV/bin/python" -c 'import neural_nlp' >/dev/null 2>&1; then
    echo "$VENV is up to date ($key)"
    exit 0
fi

rm -rf "$part"
trap 'rm -rf "$part"' EXIT  # a failed build leaves nothing half-made (and $VENV as it was)
"$PY38" -m venv "$part"
pip=("$part/bin/python" -m pip install -q --no-cache-dir --disable-pip-version-check)
if [ -n "${REPRO_WHEELHOUSE:-}" ]; then pip+=(--no-index --find-links "$REPRO_WHEELHOUSE"); fi
"${pip[@]}" "$(grep '^pip==' tests/legacy/requirements-py38.txt)"
for step in "torch pypi" pypi git; do
    echo "== $VENV: install-legacy-env.sh $step"
    # shellcheck disable=SC2086  # $step is two words on purpose
    PYTHON="$part/bin/python" REPRO_PIP_CACHE=1 bash docker/install-legacy-env.sh $step
done
USE_TF=0 PYTHONPATH="$root" "$part/bin/python" -m repro.legacy doctor >/dev/null \
    || { echo "error: $part fails python -m repro.legacy doctor (run it for the problems)" >&2; exit 1; }
echo "$key" > "$part/.repro-legacy-stamp"
# a venv records its own path in its scripts and activate files; they move with it
grep -rlF "$part" "$part/bin" 2>/dev/null | xargs -r sed -i "s#$part#$VENV#g"
rm -rf "$VENV"
mv "$part" "$VENV"
trap - EXIT
echo "built $VENV ($("$VENV/bin/python" -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)'))"
