"""Reading .tflite flatbuffers into the IR."""

from .reader import read_model

__all__ = ["read_model"]
