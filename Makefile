# Thin wrappers; everything real lives in the Python package and its tests.
PYTHON ?= python3
MCU := $(PYTHON) -m mcu_codegen

.PHONY: setup setup-arm setup-tflite-runtime demo test fuzz lint bench clean

setup:
	$(PYTHON) -m pip install --quiet -e ".[dev]"

# The Cortex-M cross tools (Debian/Ubuntu packages): arm-none-eabi-gcc with newlib, and
# qemu-system-arm. Needed by `--board <cortex-m board>` builds with --measure, `verify` and
# `bench` on QEMU boards, and examples/kws_firmware. Installs only what is missing.
ARM_PACKAGES := gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
setup-arm:
	@if command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v qemu-system-arm >/dev/null 2>&1 \
	    && [ -f "$$(arm-none-eabi-gcc -print-file-name=libc.a)" ]; then \
	    echo "arm-none-eabi-gcc, newlib and qemu-system-arm are installed"; \
	else \
	    $(SUDO) apt-get update -qq && \
	    $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	        $(ARM_PACKAGES); \
	fi

# The `--reference tflite-runtime` interpreter: tflite-runtime 2.14 (its last release) needs
# numpy < 2, so it gets its own venv (Python <= 3.11), run as a child process by `verify`.
# mcu-codegen looks for it here, or wherever MCU_CODEGEN_TFLITE_RUNTIME_PYTHON points.
TFLITE_RUNTIME_VENV ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/mcu-codegen/tflite-runtime
TFLITE_RUNTIME_BASE_PYTHON ?= python3
setup-tflite-runtime:
	@if "$(TFLITE_RUNTIME_VENV)/bin/python" -c "import numpy, tflite_runtime as t; \
	    assert t.__version__ == '2.14.0' and int(numpy.__version__.split('.')[0]) < 2" 2>/dev/null; then \
	    echo "tflite-runtime 2.14.0 with numpy<2 is installed in $(TFLITE_RUNTIME_VENV)"; \
	else \
	    $(TFLITE_RUNTIME_BASE_PYTHON) -m venv --clear "$(TFLITE_RUNTIME_VENV)" && \
	    "$(TFLITE_RUNTIME_VENV)/bin/python" -m pip install --quiet --disable-pip-version-check \
	        tflite-runtime==2.14.0 "numpy<2"; \
	fi
	@echo "export MCU_CODEGEN_TFLITE_RUNTIME_PYTHON=$(TFLITE_RUNTIME_VENV)/bin/python"

# Build and verify the bundled example (a tiny keyword-spotting DS-CNN that the
# test suite's TFLite writer makes with fixed pseudo-random weights).
demo: setup
	$(PYTHON) examples/make_example_model.py build/kws_tiny_int8.tflite
	$(MCU) inspect build/kws_tiny_int8.tflite
	$(MCU) build build/kws_tiny_int8.tflite --board host -o build/kws_tiny --prefix kws
	$(MCU) verify build/kws_tiny_int8.tflite --board host --inputs 20

lint:
	$(PYTHON) -m ruff check mcu_codegen tests examples setup.py
	$(PYTHON) -m mypy

test: lint
	$(PYTHON) -m pytest -q

# 10,000 mutated and generated models through the whole build (README: Hardening).
fuzz:
	$(PYTHON) -m tests.fuzz --cases 10000 --seed 1

clean:
	rm -rf build dist *.egg-info
