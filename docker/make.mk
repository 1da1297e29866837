# Legacy engine targets; the top-level Makefile does `include docker/make.mk`.
#   make image-cpu | image-cuda        build the Python 3.8 neural-nlp images
#   make reproduce-gpt2-legacy         GPT-2 on Pereira2018-encoding with the original code, in the image
# LEGACY_GPUS=1 runs on all GPUs with the CUDA image. Caches: $REPRO_LEGACY_CACHE or ~/.cache/repro/legacy.
PYTHON ?= .venv/bin/python
DOCKER ?= docker
LEGACY_IMAGE_CPU ?= repro-legacy:cpu
LEGACY_IMAGE_CUDA ?= repro-legacy:cuda
LEGACY_GPUS ?=
LEGACY_IMAGE ?= $(if $(LEGACY_GPUS),$(LEGACY_IMAGE_CUDA),$(LEGACY_IMAGE_CPU))
LEGACY_RESULTS ?= results/legacy
LEGACY_DATA_DIR ?=

.PHONY: image-cpu image-cuda reproduce-gpt2-legacy legacy-engine-reachable

image-cpu:
	$(DOCKER) build -f Dockerfile.cpu -t $(LEGACY_IMAGE_CPU) .

image-cuda:
	$(DOCKER) build -f Dockerfile.cuda -t $(LEGACY_IMAGE_CUDA) .

# exit status 0 when a Docker engine answers (the lead's reproduce-gpt2 picks the engine with it)
legacy-engine-reachable:
	@$(PYTHON) docker/engine_reachable.py

reproduce-gpt2-legacy:
	$(PYTHON) -m repro.engines.legacy_docker score --model gpt2 --benchmark Pereira2018-encoding \
		--image $(LEGACY_IMAGE) $(if $(LEGACY_GPUS),--gpus) $(if $(LEGACY_DATA_DIR),--data-dir $(LEGACY_DATA_DIR)) \
		--output $(LEGACY_RESULTS)/gpt2__Pereira2018-encoding.json
