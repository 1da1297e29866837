# The real legacy stack without Docker; the top-level Makefile does `include docker/legacy-env.mk`.
#   make legacy-env                     build .venv-legacy (CPython 3.8 + pins + the GitHub-only code)
#   make check-legacy GOLDEN=<dir>      the tiny GPT-2 of <dir> through `repro score --engine legacy` vs its goldens
# PY38=<python3.8> picks the interpreter (a conda env's python works); REPRO_LEGACY_SOURCES=<dir> installs the
# GitHub-only code from source tarballs (MANIFEST.tsv sha256 checked); REPRO_WHEELHOUSE=<dir> installs offline.
PYTHON ?= .venv/bin/python
PY38 ?= python3.8
LEGACY_VENV ?= .venv-legacy
GOLDEN ?= ../shared/golden

.PHONY: legacy-env check-legacy

legacy-env:
	PY38=$(PY38) VENV=$(LEGACY_VENV) bash docker/legacy-venv.sh

check-legacy: legacy-env
	$(PYTHON) -m repro.engines.legacy_check --golden $(GOLDEN) --legacy-python $(LEGACY_VENV)/bin/python
