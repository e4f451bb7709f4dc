# Thin wrappers; everything real lives in the Python package and its tests.
PYTHON ?= python3
MCU := $(PYTHON) -m mcu_codegen

.PHONY: setup demo test lint bench clean

setup:
	$(PYTHON) -m pip install --quiet -e ".[dev]"

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

clean:
	rm -rf build dist *.egg-info
