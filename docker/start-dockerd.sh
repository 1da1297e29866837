#!/usr/bin/env bash
# Starts a Docker engine for CI on a machine without one: installs Debian's docker.io (and debootstrap, which
# docker/base-image.sh needs) when missing, runs dockerd in the background and waits until it answers.
# Storage driver: overlay2 when the kernel/filesystem allow it, else vfs (slow, but works everywhere).
# Idempotent: an engine that already answers is left alone. Stop with docker/stop-dockerd.sh.
#   env: DOCKERD_DATA_ROOT (default /var/lib/docker), DOCKERD_LOG (default /tmp/repro-dockerd.log)
set -euo pipefail
data_root=${DOCKERD_DATA_ROOT:-/var/lib/docker}
log=${DOCKERD_LOG:-/tmp/repro-dockerd.log}
pidfile=/var/run/repro-dockerd.pid

if docker info >/dev/null 2>&1; then
    echo "start-dockerd: a Docker engine already answers"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "error: start-dockerd.sh needs root (apt-get and dockerd); start Docker yourself or run it with sudo" >&2
    exit 2
fi

missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    echo "start-dockerd: apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

overlay_works() {
    # overlay2 needs an overlay mount on the data root's filesystem (not on overlayfs itself)
    local t
    t=$(mktemp -d "$data_root.overlay-probe.XXXXXX")
    mkdir -p "$t/l" "$t/u" "$t/w" "$t/m"
    if mount -t overlay overlay -o "lowerdir=$t/l,upperdir=$t/u,workdir=$t/w" "$t/m" 2>/dev/null; then
        umount "$t/m"; rm -rf "$t"; return 0
    fi
    rm -rf "$t"; return 1
}
mkdir -p "$(dirname "$data_root")"
driver=${DOCKERD_STORAGE_DRIVER:-}
if [ -z "$driver" ]; then
    if overlay_works; then driver=overlay2; else driver=vfs; fi
fi
echo "start-dockerd: dockerd --storage-driver $driver --data-root $data_root (log $log)"
nohup dockerd --storage-driver "$driver" --data-root "$data_root" --pidfile "$pidfile" >"$log" 2>&1 &

for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        echo "start-dockerd: engine up ($(docker version --format '{{.Server.Version}}'))"
        exit 0
    fi
    sleep 1
done
echo "error: dockerd did not answer within 60 s; last lines of $log:" >&2
tail -n 20 "$log" >&2
exit 1
