# Deviation of repro from the ORIGINAL packages on off-grid data (docs/numerics.md).
#   make bsl-env      .venv-bsl: the real brainscore-language 2.3.0 (numpy<2), for benchmarks/deviation.py
#   make deviation    perturbed inputs, original vs repro (stable, exact), 1 and 2 BLAS threads -> results/deviation
BSL_VENV ?= .venv-bsl
DEVIATION_OUT ?= results/deviation
DEVIATION_ARGS ?=

.PHONY: bsl-env deviation

$(BSL_VENV)/bin/python:
	$(PY) -m venv $(BSL_VENV)
	$(BSL_VENV)/bin/pip install -q --upgrade pip
	$(BSL_VENV)/bin/pip install -q torch==2.13.0
	$(BSL_VENV)/bin/pip install -q -r repro/bench/requirements-bsl.txt
	BS_INSTALL_DEPENDENCIES=no $(BSL_VENV)/bin/pip install -q brainscore-language==2.3.0 brainscore-core==2.5.0
	$(BSL_VENV)/bin/python -c "import brainscore_language, brainscore_core"

bsl-env: $(BSL_VENV)/bin/python

deviation: $(BSL_VENV)/bin/python
	$(PYTHON) benchmarks/deviation.py --out $(DEVIATION_OUT) --bsl-python $(BSL_VENV)/bin/python $(DEVIATION_ARGS)
