#!/usr/bin/env bash
# Stops the dockerd that docker/start-dockerd.sh started (by its pid file); an engine started otherwise is left alone.
set -euo pipefail
pidfile=/var/run/repro-dockerd.pid
if [ ! -s "$pidfile" ]; then
    echo "stop-dockerd: no dockerd started by start-dockerd.sh"
    exit 0
fi
pid=$(cat "$pidfile")
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 30); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 1
    done
fi
rm -f "$pidfile"
echo "stop-dockerd: stopped dockerd $pid"
