"""Reading .tflite flatbuffers into the IR."""

from .reader import check_support, read_graph, read_model

__all__ = ["check_support", "read_graph", "read_model"]
