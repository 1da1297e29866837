# Legacy engine targets; the top-level Makefile does `include docker/make.mk`.
#   make image-cpu | image-cuda        build the Python 3.8 neural-nlp images (OFFLINE=1: no registry, no network)
#   make wheelhouse                    every pinned wheel + the source snapshots in $(WHEELHOUSE), for offline rebuilds
#   make base-image                    the registry-free Debian + CPython 3.8 base of OFFLINE=1 builds
#   make docker-engine                 install (Debian's docker.io) and start dockerd where none answers (root)
#   make check-image GOLDEN=<dir>      the tiny GPT-2 goldens of <dir> reproduced inside the CPU image
#   make reproduce-gpt2-legacy         GPT-2 on Pereira2018-encoding with the original code, in the image
# LEGACY_GPUS=1 runs on all GPUs with the CUDA image. Caches: $REPRO_LEGACY_CACHE or ~/.cache/repro/legacy.
# Details: docs/legacy-engine.md.
PYTHON ?= .venv/bin/python
DOCKER ?= docker
LEGACY_IMAGE_CPU ?= repro-legacy:cpu
LEGACY_IMAGE_CUDA ?= repro-legacy:cuda
LEGACY_GPUS ?=
LEGACY_IMAGE ?= $(if $(LEGACY_GPUS),$(LEGACY_IMAGE_CUDA),$(LEGACY_IMAGE_CPU))
LEGACY_RESULTS ?= results/legacy
LEGACY_DATA_DIR ?=
# a model id or directory: LEGACY_MODEL=../shared/golden/model/tiny-gpt2 LEGACY_DATA_DIR=../shared/golden/legacy/s3
LEGACY_MODEL ?= gpt2
# conda/torch-<variant>.txt of each image (cpu needs PyTorch's own index; pypi/cuda come from PyPI)
LEGACY_TORCH_CPU ?= pypi  # torch 1.13.1, as .venv-legacy (docs/legacy-engine.md)
LEGACY_TORCH_CUDA ?= cuda
OFFLINE ?=
WHEELHOUSE ?= wheelhouse
# torch variants saved by make wheelhouse (empty: every conda/torch-*.txt); sources: git, or a snapshot folder
WHEELHOUSE_TORCH ?=
REPRO_LEGACY_SOURCES ?=
GOLDEN ?= ../shared/golden

.PHONY: image-cpu image-cuda wheelhouse base-image docker-engine check-image reproduce-gpt2-legacy \
	legacy-engine-reachable

image-cpu:
	OFFLINE=$(OFFLINE) WHEELHOUSE=$(WHEELHOUSE) TORCH=$(LEGACY_TORCH_CPU) TAG=$(LEGACY_IMAGE_CPU) DOCKER=$(DOCKER) \
		PYTHON=$(PYTHON) bash docker/build-image.sh cpu

image-cuda:
	OFFLINE=$(OFFLINE) WHEELHOUSE=$(WHEELHOUSE) TORCH=$(LEGACY_TORCH_CUDA) TAG=$(LEGACY_IMAGE_CUDA) DOCKER=$(DOCKER) \
		PYTHON=$(PYTHON) bash docker/build-image.sh cuda

wheelhouse:
	$(PYTHON) docker/wheelhouse.py build --dest $(WHEELHOUSE) $(if $(WHEELHOUSE_TORCH),--torch $(WHEELHOUSE_TORCH)) \
		$(if $(REPRO_LEGACY_SOURCES),--sources $(REPRO_LEGACY_SOURCES))

base-image:
	DOCKER=$(DOCKER) bash docker/base-image.sh

docker-engine:
	bash docker/start-dockerd.sh

check-image:
	$(PYTHON) -m repro.engines.legacy_check --golden $(GOLDEN) --image $(LEGACY_IMAGE_CPU)

# exit status 0 when a Docker engine answers (the lead's reproduce-gpt2 picks the engine with it)
legacy-engine-reachable:
	@$(PYTHON) docker/engine_reachable.py

reproduce-gpt2-legacy:
	$(PYTHON) -m repro.engines.legacy_docker score --model $(LEGACY_MODEL) --benchmark Pereira2018-encoding \
		--image $(LEGACY_IMAGE) $(if $(LEGACY_GPUS),--gpus) $(if $(LEGACY_DATA_DIR),--data-dir $(LEGACY_DATA_DIR)) \
		--output $(LEGACY_RESULTS)/gpt2__Pereira2018-encoding.json
