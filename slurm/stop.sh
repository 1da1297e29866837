#!/usr/bin/env bash
# Stop the single-node Slurm started by slurm/start.sh (slurmd, slurmctld, munged), by their pid files.
set -uo pipefail
DIR=${REPRO_SLURM_DIR:-/tmp/repro-slurm}

stop_pidfile() {
    local f=$1 pid
    [ -s "$f" ] || return 0
    pid=$(cat "$f")
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

stop_pidfile "$DIR/slurmd.pid"
stop_pidfile "$DIR/slurmctld.pid"
stop_pidfile "$DIR/munge/munged.pid"
echo "slurm: stopped"
