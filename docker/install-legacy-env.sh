#!/usr/bin/env bash
# Installs the pinned legacy stack into the active Python 3.8 (the conda env of conda/environment.yml, or
# /opt/conda in the images). Steps are separate so the Dockerfiles can cache each in its own layer.
#   install-legacy-env.sh torch cpu|cuda   torch build for the variant (conda/torch-*.txt)
#   install-legacy-env.sh pypi             the fully pinned PyPI set (conda/requirements-py38.lock.txt)
#   install-legacy-env.sh git              the GitHub-only code at pinned commits (conda/git-pins.txt)
#   install-legacy-env.sh all cpu|cuda     all three
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python}
# --no-deps everywhere: the pin files are complete, and git packages would otherwise pull TensorFlow.
pip=("$python" -m pip install --no-cache-dir --no-deps --disable-pip-version-check)

"$python" - <<'PY'
import sys
if sys.version_info[:2] != (3, 8):
    sys.exit("install-legacy-env.sh needs Python 3.8, found %d.%d" % sys.version_info[:2])
PY

step_torch() {
    case "${1:-}" in
        cpu|cuda) "${pip[@]}" --only-binary :all: -r "$root/conda/torch-$1.txt" ;;
        *) echo "usage: $0 torch cpu|cuda" >&2; exit 2 ;;
    esac
}

step_pypi() {
    "${pip[@]}" --only-binary :all: -r "$root/conda/requirements-py38.lock.txt"
}

step_git() {
    local name url commit
    # The fields are whitespace-separated; the reason (4th field on) is documentation only.
    while read -r name url commit _; do
        case "$name" in ''|'#'*) continue ;; esac
        "${pip[@]}" --no-build-isolation "$name @ git+$url@$commit"
    done < "$root/conda/git-pins.txt"
}

case "${1:-}" in
    torch) step_torch "${2:-}" ;;
    pypi) step_pypi ;;
    git) step_git ;;
    all) step_torch "${2:-}"; step_pypi; step_git ;;
    *) echo "usage: $0 torch cpu|cuda | pypi | git | all cpu|cuda" >&2; exit 2 ;;
esac
