"""mcu-codegen: compile quantized int8 TFLite models into self-contained C99 libraries."""

__version__ = "0.1.0"
