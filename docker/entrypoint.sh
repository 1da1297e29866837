#!/bin/sh
# Entry point of the legacy images: `docker run IMAGE score --model gpt2 --benchmark Pereira2018-encoding ...`
# runs `python -m repro.legacy score ...` with the original neural-nlp code (see `docker run IMAGE --help`).
set -eu
# A fresh named volume or an empty bind mount may lack these; neural-nlp and result_caching expect them.
mkdir -p "$RESULTCACHING_HOME" "$HF_HOME" "$HOME/.neural_nlp" 2>/dev/null || true
exec python -m repro.legacy "$@"
