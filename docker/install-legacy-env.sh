#!/usr/bin/env bash
# Installs the pinned legacy stack into the active Python 3.8 (the conda env of conda/environment.yml, or
# /opt/conda in the images). Steps are separate so the Dockerfiles can cache each in its own layer.
#   install-legacy-env.sh torch cpu|cuda|pypi  torch build for the variant (conda/torch-*.txt)
#   install-legacy-env.sh pypi             the fully pinned PyPI set (conda/requirements-py38.lock.txt)
#   install-legacy-env.sh git              the GitHub-only code at pinned commits (conda/git-pins.txt)
#   install-legacy-env.sh all cpu|cuda|pypi  all three
# REPRO_WHEELHOUSE=DIR: install every wheel from DIR with no index (archival rebuilds without network).
# REPRO_LEGACY_SOURCES=DIR: the GitHub-only code from DIR's tarballs (MANIFEST.tsv: commit, sha256, e.g.
# ../shared/vendor/legacy-src or DIR/legacy-src of a wheelhouse) instead of git+https; each sha256 is checked.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python}
# --no-deps everywhere: the pin files are complete, and git packages would otherwise pull TensorFlow.
# No pip cache in images (layer size); REPRO_PIP_CACHE=1 (make legacy-env) keeps pip's cache for rebuilds.
pip=("$python" -m pip install --no-deps --disable-pip-version-check)
[ "${REPRO_PIP_CACHE:-0}" = 1 ] || pip+=(--no-cache-dir)
wheelhouse=${REPRO_WHEELHOUSE:-}
if [ -n "$wheelhouse" ]; then
    [ -d "$wheelhouse" ] || { echo "error: REPRO_WHEELHOUSE=$wheelhouse is not a directory" >&2; exit 2; }
    pip+=(--no-index --find-links "$wheelhouse")
    sources_default="$wheelhouse/legacy-src"
    [ -d "$sources_default" ] && : "${REPRO_LEGACY_SOURCES:=$sources_default}"
fi
sources=${REPRO_LEGACY_SOURCES:-}

"$python" - <<'PY'
import sys
if sys.version_info[:2] != (3, 8):
    sys.exit("install-legacy-env.sh needs Python 3.8, found %d.%d" % sys.version_info[:2])
PY

step_torch() {
    local pins
    case "${1:-}" in
        cpu|cuda|pypi)
            pins="$root/conda/torch-$1.txt"
            # a wheelhouse has no index: drop the file's --index-url line, the wheel is in the folder
            if [ -n "$wheelhouse" ]; then
                torch_pins=$(mktemp)  # global: the EXIT trap runs after this function's locals are gone
                trap 'rm -f "$torch_pins"' EXIT
                grep -v '^--index-url' "$root/conda/torch-$1.txt" > "$torch_pins"
                pins=$torch_pins
            fi
            "${pip[@]}" --only-binary :all: -r "$pins" ;;
        *) echo "usage: $0 torch cpu|cuda|pypi" >&2; exit 2 ;;
    esac
}

step_pypi() {
    "${pip[@]}" --only-binary :all: -r "$root/conda/requirements-py38.lock.txt"
}

# The tarball of $1 at commit $2 in $sources, after checking its sha256 against MANIFEST.tsv.
source_tarball() {
    local row tarball sha
    row=$(awk -F'\t' -v n="$1" '$1 == n' "$sources/MANIFEST.tsv")
    [ -n "$row" ] || { echo "error: $sources/MANIFEST.tsv has no row for $1" >&2; exit 2; }
    case "$(cut -f2 <<<"$row")" in
        "$2"*) ;;
        *) echo "error: $sources has $1 at $(cut -f2 <<<"$row"), conda/git-pins.txt pins $2" >&2; exit 2 ;;
    esac
    tarball="$sources/$(cut -f4 <<<"$row")"
    sha=$(cut -f5 <<<"$row")
    if ! echo "$sha  $tarball" | sha256sum --check --quiet --status; then
        echo "error: $tarball does not match the sha256 $sha of MANIFEST.tsv" >&2
        exit 2
    fi
    echo "$tarball"
}

step_git() {
    local name url commit tarball
    if [ -n "$sources" ] && [ ! -f "$sources/MANIFEST.tsv" ]; then
        echo "error: REPRO_LEGACY_SOURCES=$sources has no MANIFEST.tsv" >&2
        exit 2
    fi
    # The fields are whitespace-separated; the reason (4th field on) is documentation only.
    while read -r name url commit _; do
        case "$name" in ''|'#'*) continue ;; esac
        if [ -n "$sources" ]; then
            tarball=$(source_tarball "$name" "$commit")
            "${pip[@]}" --no-build-isolation "$tarball"
        else
            "${pip[@]}" --no-build-isolation "$name @ git+$url@$commit"
        fi
    done < "$root/conda/git-pins.txt"
    record_sources
}

# A tarball install leaves no VCS record: write which commit each GitHub-only package is next to the
# environment (sys.prefix/repro-legacy-sources.json), where repro.legacy.provenance reads it.
record_sources() {
    "$python" - "$root/conda/git-pins.txt" "$sources" <<'PY'
import json, os, sys
pins = {}
for line in open(sys.argv[1]):
    fields = line.split()
    if fields and not fields[0].startswith("#"):
        pins[fields[0]] = {"commit": fields[2], "url": fields[1], "installed_from": "git"}
if sys.argv[2]:
    for line in open(os.path.join(sys.argv[2], "MANIFEST.tsv")):
        row = line.rstrip("\n").split("\t")
        if row[0] in pins:
            pins[row[0]].update(commit=row[1], installed_from=row[3], sha256=row[4])
with open(os.path.join(sys.prefix, "repro-legacy-sources.json"), "w") as f:
    json.dump(pins, f, indent=1, sort_keys=True)
PY
}

case "${1:-}" in
    torch) step_torch "${2:-}" ;;
    pypi) step_pypi ;;
    git) step_git ;;
    all) step_torch "${2:-}"; step_pypi; step_git ;;
    *) echo "usage: $0 torch cpu|cuda|pypi | pypi | git | all cpu|cuda|pypi" >&2; exit 2 ;;
esac
