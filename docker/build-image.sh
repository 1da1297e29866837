#!/usr/bin/env bash
# make image-cpu / image-cuda: builds Dockerfile.<variant> from a minimal build context (build/image-context/),
# which works with the classic builder (it reads no <Dockerfile>.dockerignore) and BuildKit alike.
#   docker/build-image.sh cpu|cuda
#   OFFLINE=1       no registry and no network: base image from docker/base-image.sh, wheels and sources from
#                   the wheelhouse (make wheelhouse); otherwise the standard build (micromamba, PyPI, GitHub)
#   WHEELHOUSE=DIR  the wheelhouse (default wheelhouse/)       TORCH=cpu|cuda|...  conda/torch-TORCH.txt
#   TAG, DOCKER, PYTHON (runs docker/wheelhouse.py)
# Prints the build time; the image is tagged only when the whole build, `repro.legacy doctor` included, passed.
set -euo pipefail
cd "$(dirname "$0")/.."
variant=${1:-}
case "$variant" in
    cpu|cuda) ;;
    *) echo "usage: $0 cpu|cuda  (env OFFLINE=1 WHEELHOUSE=dir TORCH=variant TAG=name)" >&2; exit 2 ;;
esac
docker=${DOCKER:-docker}
python=${PYTHON:-python3}
torch=${TORCH:-$variant}
tag=${TAG:-repro-legacy:$variant}
wheelhouse=${WHEELHOUSE:-wheelhouse}
[ -f "conda/torch-$torch.txt" ] || { echo "error: no conda/torch-$torch.txt (TORCH=$torch)" >&2; exit 2; }
if [ -n "${OFFLINE:-}" ] && [ ! -f "$wheelhouse/MANIFEST.tsv" ]; then
    echo "error: OFFLINE=1 needs a complete wheelhouse at $wheelhouse (run: make wheelhouse)" >&2
    exit 2
fi

ctx=build/image-context/$variant
rm -rf "$ctx"
mkdir -p "$ctx/docker" "$ctx/repro" "$ctx/wheelhouse"
cp -a conda "$ctx/"
cp -a docker/entrypoint.sh docker/install-legacy-env.sh "$ctx/docker/"
cp -a repro/legacy "$ctx/repro/"
find "$ctx" -name __pycache__ -prune -exec rm -rf {} +

args=(--build-arg "TORCH=$torch")
if [ -n "${OFFLINE:-}" ]; then
    base=$(bash docker/base-image.sh | tail -n 1)
    "$python" docker/wheelhouse.py stage --dest "$wheelhouse" --torch "$torch" --into "$ctx/wheelhouse"
    args+=(--build-arg "PYTHON_IMAGE=$base" --build-arg "BASE_IMAGE=$base" --build-arg WHEELHOUSE=/wheelhouse)
fi
echo "build-image: $tag from Dockerfile.$variant (TORCH=$torch${OFFLINE:+, offline: $base + $wheelhouse}; context $(du -sh "$ctx" | cut -f1))"
start=$(date +%s)
"$docker" build -f "Dockerfile.$variant" -t "$tag" "${args[@]}" "$ctx"
echo "build-image: $tag built in $(( $(date +%s) - start )) s"
