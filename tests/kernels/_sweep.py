"""Shared machinery of the kernel sweeps: deterministic case generation and the
bit-exactness check (see the package docstring for how to run the full sweep)."""

from __future__ import annotations

import math
import os
import random
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pytest

from mcu_codegen import api

#: ``MCU_CODEGEN_FULL_SWEEP=1`` generates the large sweep (>= 50 cases per family).
FULL_SWEEP = os.environ.get("MCU_CODEGEN_FULL_SWEEP", "").strip() not in ("", "0")

#: Random input sets per case (verify adds the 3 edge sets).
VERIFY_INPUTS = 4
#: Seeded random cases appended to the hand-picked ones.
DEFAULT_RANDOM = 8
FULL_RANDOM = 60

ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")

Case = dict[str, Any]


def case_seed(case_id: str) -> int:
    """A stable 31-bit seed derived from the case id (same case => same model)."""
    return zlib.crc32(case_id.encode()) & 0x7FFFFFFF


def case_rng(case_id: str) -> np.random.Generator:
    return np.random.default_rng(case_seed(case_id))


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return "T" if v else "F"
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (tuple, list)):
        return "x".join(_fmt(x) for x in v) if v else "scalar"
    return str(v)


def case_id(case: Mapping[str, Any]) -> str:
    """``key=value`` pairs joined by ``,``: the id carries every parameter."""
    return ",".join(f"{k}={_fmt(v)}" for k, v in case.items())


def sweep(
    curated: Sequence[Case],
    draw: Callable[[random.Random], Case | None],
    *,
    family: str,
    default_random: int = DEFAULT_RANDOM,
    full_random: int = FULL_RANDOM,
    xfail: Mapping[str, str] | None = None,
) -> list[Any]:
    """The cases of one family as ``pytest.param`` objects.

    ``curated`` always runs; then ``draw`` (given a ``random.Random`` seeded from
    ``family``) proposes random cases, ``None`` meaning "illegal, draw again";
    duplicates are dropped.  The default run keeps the first ``default_random``
    of them, the full sweep the first ``full_random`` (a superset).  ``xfail``
    maps case ids to the reason of a known, reported mismatch (strict).
    """
    want = full_random if FULL_SWEEP else default_random
    cases: list[Case] = [dict(c) for c in curated]
    seen = {case_id(c) for c in cases}
    r = random.Random(f"mcu-codegen-kernels-{family}")
    extra = attempts = 0
    while extra < want:
        attempts += 1
        if attempts > 200 * (want + 1):
            raise RuntimeError(f"{family}: parameter space too constrained")
        c = draw(r)
        if c is None:
            continue
        cid = case_id(c)
        if cid in seen:
            continue
        seen.add(cid)
        cases.append(c)
        extra += 1
    xfail = dict(xfail or {})
    params = []
    for c in cases:
        cid = case_id(c)
        marks = []
        if cid in xfail:
            marks.append(pytest.mark.xfail(strict=True, reason=xfail.pop(cid)))
        params.append(pytest.param(c, id=cid, marks=marks))
    if xfail:
        raise ValueError(f"{family}: xfail entries match no case: {sorted(xfail)}")
    return params


def assert_bit_exact(model: bytes, case: Mapping[str, Any], inputs: int = VERIFY_INPUTS) -> None:
    """Verify ``model`` against TFLite Micro; the message names the case and every
    differing input set."""
    cid = case_id(case)
    seed = case_seed(cid) % 10_000
    result = api.verify(model, board="host", inputs=inputs, seed=seed, reference="tflm")
    assert result.cases == inputs + 3, f"{cid}: ran {result.cases} input sets"
    details = [f"  {label}: {m.describe()}" for label, ms in result.failures for m in ms]
    assert result.ok, (
        f"{cid} (verify seed {seed}): {len(result.failures)} of {result.cases} input sets "
        "differ from TFLite Micro\n" + "\n".join(details)
    )


# ----------------------------------------------------------------------------
# Quantization helpers shared by the conv / depthwise / FC sweeps
# ----------------------------------------------------------------------------

#: Weight scales the writer uses: 0.004 per tensor; per channel spread over
#: 0.004 * 10**[-0.5, 0.5].
WEIGHT_SCALE = 0.004
_WEIGHT_RMS = math.sqrt(127 * 128 / 3)


def _int8_rms(zp: int) -> float:
    q = np.arange(-128, 128, dtype=np.float64)
    return float(np.sqrt(np.mean((q - zp) ** 2)))


def accumulator_out_scale(in_scale: float, in_zp: int, k_elems: int, per_channel: bool) -> float:
    """The output scale that makes +-3 sigma of the accumulator span int8 (what the
    writer picks by default); sweeps multiply it by a factor to move the output
    scale close to / far from the natural one."""
    w_max = WEIGHT_SCALE * (10**0.5 if per_channel else 1.0)
    acc_std = math.sqrt(k_elems) * _int8_rms(in_zp) * _WEIGHT_RMS
    return max(6.0 * acc_std * in_scale * w_max / 255.0, 1e-6)


def eff_size(k: int, d: int) -> int:
    return (k - 1) * d + 1


def window_ok(in_hw: Sequence[int], kernel: Sequence[int], dilation: Sequence[int],
              padding: str) -> bool:
    """VALID needs the (dilated) window inside the input; SAME always has an output."""
    if padding == "SAME":
        return True
    return all(eff_size(k, d) <= n for n, k, d in zip(in_hw, kernel, dilation, strict=True))


# ----------------------------------------------------------------------------
# Running a generated library directly (crafted inputs, patched sources)
# ----------------------------------------------------------------------------


class BuiltLibrary:
    """``files`` (a generated library, name -> bytes) written to a temp dir and
    compiled with ``HostLibrary`` (same strict flags as verify); use as a context
    manager.  ``run(inputs)`` returns the outputs of ``model_invoke``."""

    def __init__(self, compiled: Any, files: Mapping[str, bytes] | None = None) -> None:
        import tempfile
        from pathlib import Path

        from mcu_codegen.verify.host import HostLibrary

        self.compiled = compiled
        self.graph = compiled.graph
        self._tmp = tempfile.TemporaryDirectory(prefix="mcu-codegen-kernels-")
        src = Path(self._tmp.name)
        for name, body in (files if files is not None else compiled.library.files).items():
            (src / name).write_bytes(body)
        self.lib = HostLibrary(src, "model")

    def new_outputs(self) -> list[np.ndarray]:
        g = self.graph
        return [np.zeros(g.tensors[i].shape, g.tensors[i].dtype.numpy) for i in g.outputs]

    def run(self, inputs: Sequence[np.ndarray], arena: np.ndarray | None = None
            ) -> list[np.ndarray]:
        outs = self.new_outputs()
        rc = self.lib.invoke(inputs, outs, arena=arena)
        assert rc == 0, f"model_invoke returned {rc}"
        return outs

    def close(self) -> None:
        self.lib.close()
        self._tmp.cleanup()

    def __enter__(self) -> BuiltLibrary:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tflm_runner(compiled: Any) -> Callable[[Sequence[np.ndarray]], list[np.ndarray]]:
    from mcu_codegen.verify.reference import make_runner

    return make_runner("tflm", compiled.model, len(compiled.graph.outputs))


def requant_chain_model(middle: str, in_shape: Sequence[int], out_shape: Sequence[int],
                        q_in: tuple[float, int] = (0.02, 5), q_mid: tuple[float, int] = (0.03, -4),
                        q_out: tuple[float, int] = (0.05, 10)) -> bytes:
    """int8 x --QUANTIZE--> t1 --middle--> t2 --QUANTIZE--> y.

    ``middle`` is RESHAPE / SQUEEZE / EXPAND_DIMS (output shape ``out_shape``), so
    the reshape-like op works on arena tensors (no graph input or output), and
    the model needs a non-empty arena."""
    from tests.tflite_writer import ModelBuilder, QParams

    mb = ModelBuilder(f"requant-{middle.lower()}-requant")
    qm = QParams(*q_mid)
    x = mb.add_tensor("x", in_shape, "int8", QParams(*q_in))
    t1 = mb.add_tensor("t1", in_shape, "int8", qm)
    t2 = mb.add_tensor("t2", out_shape, "int8", qm)
    y = mb.add_tensor("y", out_shape, "int8", QParams(*q_out))
    mb.add_op("QUANTIZE", [x], [t1])
    if middle == "RESHAPE":
        shape = mb.add_tensor("shape", [len(out_shape)], "int32", data=np.asarray(out_shape))
        mb.add_op("RESHAPE", [t1, shape], [t2], {"new_shape": list(out_shape)})
    elif middle == "SQUEEZE":
        mb.add_op("SQUEEZE", [t1], [t2])  # all size-1 dims
    elif middle == "EXPAND_DIMS":
        padded = [*in_shape, None]  # same length as out_shape
        axis = next(i for i, (a, b) in enumerate(zip(padded, out_shape, strict=True)) if a != b)
        ax = mb.add_tensor("axis", [1], "int32", data=np.asarray([axis]))
        mb.add_op("EXPAND_DIMS", [t1, ax], [t2])
    else:
        raise ValueError(middle)
    mb.add_op("QUANTIZE", [t2], [y])
    mb.set_io([x], [y])
    return mb.build()
