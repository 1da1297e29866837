#!/usr/bin/env bash
# Resolves conda/requirements-py38.in with CPython 3.8 for Linux x86_64 and prints every pinned package,
# so conda/requirements-py38.lock.txt and conda/torch-cuda.txt can be refreshed (keep the reasons by hand).
# Needs PyPI. Downloads the wheels' metadata (for torch the whole CUDA wheels: ~3 GB, only into pip's temp dir).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py38=${PY38:-/root/.pyenv/versions/3.8.18/bin/python3.8}
report=$(mktemp)
trap 'rm -f "$report"' EXIT
"$py38" -m pip install --dry-run --ignore-installed --only-binary :all: --quiet \
    --report "$report" -r "$root/conda/requirements-py38.in" >&2
"$py38" - "$report" <<'PY'
import json, sys
for item in sorted(json.load(open(sys.argv[1]))["install"], key=lambda i: i["metadata"]["name"].lower()):
    print("%s==%s" % (item["metadata"]["name"], item["metadata"]["version"]))
PY
