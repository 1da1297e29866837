#!/usr/bin/env bash
# Start a single-node Slurm (munged, slurmctld, slurmd) on 127.0.0.1 with this machine's cores.
# Idempotent: does nothing if it already answers. Installs the Debian packages when missing (root).
#   slurm/start.sh            then   export SLURM_CONF=${REPRO_SLURM_DIR:-/tmp/repro-slurm}/slurm.conf
# Env: REPRO_SLURM_DIR (state, spool, logs, config; default /tmp/repro-slurm), REPRO_SLURM_PARTITION
# (default debug), REPRO_SLURM_CTLD_PORT/REPRO_SLURM_SLURMD_PORT (default 6817/6818).
set -euo pipefail
DIR=${REPRO_SLURM_DIR:-/tmp/repro-slurm}
PARTITION=${REPRO_SLURM_PARTITION:-debug}
CTLD_PORT=${REPRO_SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${REPRO_SLURM_SLURMD_PORT:-6818}
HERE=$(cd "$(dirname "$0")" && pwd)
export SLURM_CONF=$DIR/slurm.conf

ready() {
    scontrol ping 2>/dev/null | grep -q "is UP" &&
        sinfo -h -N -o "%t" 2>/dev/null | grep -Eq "^(idle|mix|alloc)"
}

if [ -f "$SLURM_CONF" ] && command -v scontrol >/dev/null && ready; then
    echo "slurm: already running (SLURM_CONF=$SLURM_CONF)"
    exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null \
        || ! command -v sbatch >/dev/null; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
        echo "slurm: not installed and cannot apt-get install it (needs root and apt-get)" >&2
        exit 3
    fi
    echo "slurm: installing slurmctld slurmd munge slurm-client"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends slurmctld slurmd munge slurm-client >/dev/null 2>&1 || {
        apt-get update -q >/dev/null 2>&1 || true
        apt-get install -y -q --no-install-recommends slurmctld slurmd munge slurm-client >/dev/null || {
            echo "slurm: apt-get install failed" >&2; exit 3; }
    }
fi

# a previous half-started instance (stale pids, wrong config) is stopped first
"$HERE/stop.sh" >/dev/null 2>&1 || true
mkdir -p "$DIR"/{state,spool,log,munge}
chmod 700 "$DIR/munge"

# munge with a private key and socket, so the machine's own munge (if any) is left alone
if [ ! -s "$DIR/munge/munge.key" ]; then
    dd if=/dev/urandom of="$DIR/munge/munge.key" bs=1 count=1024 status=none
fi
chmod 600 "$DIR/munge/munge.key"
munged --force --key-file="$DIR/munge/munge.key" --socket="$DIR/munge/munge.socket" \
    --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munge.seed"

CPUS=$(nproc)
MEM_KB=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)
MEM_MB=$(( MEM_KB / 1024 * 9 / 10 ))  # below the real amount, so slurmd never drains the node
sed -e "s|@DIR@|$DIR|g" -e "s|@CPUS@|$CPUS|g" -e "s|@MEM_MB@|$MEM_MB|g" -e "s|@PARTITION@|$PARTITION|g" \
    -e "s|@CTLD_PORT@|$CTLD_PORT|g" -e "s|@SLURMD_PORT@|$SLURMD_PORT|g" \
    "$HERE/slurm.conf.in" > "$SLURM_CONF"
# client commands without SLURM_CONF look in /etc/slurm: point it at the default instance (never at a test's
# temporary one), unless someone else's config is there
if [ "$DIR" = /tmp/repro-slurm ] && [ "$(id -u)" = 0 ] && { [ ! -e /etc/slurm/slurm.conf ] ||
        grep -q "^# Single-node Slurm on 127.0.0.1 for repro" /etc/slurm/slurm.conf; }; then
    mkdir -p /etc/slurm && cp "$SLURM_CONF" /etc/slurm/slurm.conf
fi

slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N localhost

for _ in $(seq 1 60); do
    if ready; then
        echo "slurm: up with $CPUS CPUs on 127.0.0.1 (SLURM_CONF=$SLURM_CONF, partition $PARTITION)"
        exit 0
    fi
    # a node left DOWN by an earlier unclean stop comes back at once
    scontrol update NodeName=localhost State=RESUME >/dev/null 2>&1 || true
    sleep 0.5
done
echo "slurm: did not become ready in 30 s; see $DIR/log/slurmctld.log and $DIR/log/slurmd.log" >&2
tail -n 5 "$DIR/log/slurmctld.log" "$DIR/log/slurmd.log" >&2 || true
exit 1
