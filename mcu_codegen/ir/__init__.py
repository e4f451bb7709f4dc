"""The typed intermediate representation: Graph, Tensor, Op, QuantParams."""

from .graph import DType, Graph, Op, OpKind, QuantParams, Tensor

__all__ = ["DType", "Graph", "Op", "OpKind", "QuantParams", "Tensor"]
