"""Graph -> Graph rewrites, run in one ordered pipeline.

Each pass is a pure function with a docstring saying what it expects and what it
guarantees; ``run_passes`` validates the graph after every one.
"""

from __future__ import annotations

from collections.abc import Callable

from ..ir import Graph
from .activations import fuse_activations
from .constants import fold_constants
from .dead_code import remove_dead_ops
from .pad import fold_pad
from .quantize_pairs import cancel_quantize_pairs
from .reshapes import collapse_reshapes

Pass = Callable[[Graph], Graph]

PIPELINE: tuple[Pass, ...] = (
    fold_constants,
    remove_dead_ops,
    cancel_quantize_pairs,
    collapse_reshapes,
    fuse_activations,
    fold_pad,
    remove_dead_ops,
)


def run_passes(g: Graph, pipeline: tuple[Pass, ...] = PIPELINE, validate: bool = True) -> Graph:
    """Apply ``pipeline`` in order. ``validate=False`` is for graphs known to be
    incomplete (ops the reader could not represent): passes still fold what they
    can, so the error that follows lists only what is really missing."""
    for p in pipeline:
        g = p(g)
        if validate:
            g.validate()
    return g


__all__ = ["PIPELINE", "Pass", "run_passes"]
