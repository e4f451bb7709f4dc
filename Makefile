# Thin wrappers; everything real lives in the Python package and its tests.
PYTHON ?= python3
MCU := $(PYTHON) -m mcu_codegen

.PHONY: setup setup-arm demo test fuzz lint bench clean

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
