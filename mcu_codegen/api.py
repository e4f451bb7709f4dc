"""The Python API: everything the command line does, callable and testable."""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .boards import Board, check_fits
from .boards import board as get_board
from .codegen import Library, generate
from .codegen.cformat import c_identifier_ok
from .codegen.output import check_target, write_atomically
from .codegen.plot import plan_svg
from .errors import BoardError, McuCodegenError, ModelError, OptionError, VerifyError
from .ir import Graph
from .ops import OPS, simd
from .passes import run_passes
from .planner import ArenaPlan, plan
from .target import bench as target_bench
from .target.check import verify_on_board
from .target.integration import integration_files
from .tflite import check_support, read_graph
from .verify.compare import Mismatch, compare
from .verify.host import HostLibrary
from .verify.inputs import make_inputs
from .verify.reference import KNOWN_DIFFERENCES, REFERENCES, make_runner

C_KEYWORDS = frozenset({
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch", "typedef",
    "union", "unsigned", "void", "volatile", "while", "_Bool", "_Complex", "_Imaginary",
})


@dataclass(frozen=True)
class Compiled:
    """A model read, checked, planned and rendered (nothing written yet)."""

    model: bytes
    graph: Graph
    plan: ArenaPlan
    library: Library
    board: Board


def check_prefix(prefix: str) -> str:
    if not c_identifier_ok(prefix) or prefix in C_KEYWORDS or len(prefix) > 40:
        raise OptionError(f"--prefix {prefix!r} is not a valid C identifier")
    return prefix


def load(model: str | Path | bytes) -> tuple[bytes, Graph]:
    """Read the model, run the rewriting passes, and check every op is supported."""
    if isinstance(model, bytes):
        data = model
    else:
        path = Path(model)
        if not path.is_file():
            raise ModelError(f"{path}: no such file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    g, unknown = read_graph(data)
    if not unknown:
        g.validate()  # the passes expect a valid graph
    try:
        g = run_passes(g, validate=not unknown)
    except (IndexError, KeyError, ValueError, TypeError, AttributeError, ZeroDivisionError):
        # The passes run before the support rules: on a malformed op, let its rules
        # say what is wrong (and if none does, this is a bug in a pass).
        check_support(g, unknown)
        raise
    check_support(g, unknown)
    g.validate()
    return data, g


def compile_model(model: str | Path | bytes, *, board: str = "host",
                  prefix: str = "model", kernels: str = "auto") -> Compiled:
    """Read, check, plan and render; refuse a model that cannot fit the board.

    ``kernels``: ``auto`` (the best set the board's features allow), or one of
    ``portable``, ``dsp``, ``mve`` (see ops.simd)."""
    check_prefix(prefix)
    b = get_board(board)
    isa = simd.resolve(kernels, b.features, b.core, b.name)
    data, g = load(model)
    io_bytes = sum(g.tensors[i].nbytes for i in (*g.inputs, *g.outputs))
    # With ``auto``, a kernel set whose weight layout (e.g. the DSP kernels' widened
    # weights) does not fit the board's flash gives way to the next set down.
    candidates = [*simd.chain(isa), "portable"] if kernels == "auto" else [isa]
    fallback = ""
    for n, set_ in enumerate(candidates):
        p = plan(g, set_)
        lib = generate(g, p, prefix=prefix, board=b.name, isa=set_,
                       model_sha256=hashlib.sha256(data).hexdigest())
        try:
            check_fits(b, weights_bytes=int(str(lib.report["weights_bytes"])),
                       arena_bytes=p.arena_bytes, io_bytes=io_bytes)
        except BoardError as exc:
            if n + 1 == len(candidates) or "flash" not in str(exc):
                raise
            fallback = fallback or (f"{set_} kernels: {str(exc).split(': ', 1)[1]}; "
                                    "using the next kernel set down")
            continue
        if fallback:
            lib.report["kernel_set_fallback"] = fallback
            lib.files["report.json"] = (
                json.dumps(lib.report, indent=2, sort_keys=True) + "\n").encode()
        return Compiled(data, g, p, lib, b)
    raise AssertionError("unreachable: the last candidate raises or returns")


def build(model: str | Path | bytes, out: str | Path, *, board: str = "host",
          prefix: str = "model", force: bool = False, measure: bool = False,
          kernels: str = "auto") -> Compiled:
    """Generate the library into ``out`` (atomically; see codegen.output), with the
    ``<prefix>.mk`` and ``CMakeLists.txt`` a firmware project includes. With ``measure``
    (Cortex-M boards), cross-build and run it first: report.json gets a ``target`` section
    and a model whose measured flash or RAM exceeds the board's is refused."""
    out = Path(out)
    check_target(out, force)
    compiled = compile_model(model, board=board, prefix=prefix, kernels=kernels)
    files = dict(compiled.library.files)
    files.update(integration_files(files, compiled.board, prefix=prefix,
                                   model_sha256=str(compiled.library.report["model_sha256"])))
    if measure:
        report = compiled.library.report
        report["target"] = bench_compiled(compiled, prefix=prefix)
        target_bench.check_measured_fit(compiled.board, report["target"])  # type: ignore[arg-type]
        files["report.json"] = (json.dumps(report, indent=2, sort_keys=True) + "\n").encode()
    write_atomically(out, files, force=force)
    return compiled


def bench_compiled(compiled: Compiled, *, prefix: str = "model", per_op: bool = True,
                   seed: int = 0) -> dict[str, object]:
    """The report.json ``target`` section of a compiled model on its (Cortex-M) board."""
    if compiled.board.is_host:
        raise OptionError("measuring needs a Cortex-M board (see `mcu-codegen boards`)")
    return target_bench.measure(compiled.library.files, compiled.library.report,
                                compiled.graph, compiled.board, prefix=prefix,
                                per_op=per_op, seed=seed)


def bench(model: str | Path | bytes, *, board: str, per_op: bool = True,
          seed: int = 0, kernels: str = "auto") -> dict[str, object]:
    """Flash, RAM and instructions per inference (and per op) of ``model`` on ``board``."""
    return bench_compiled(compile_model(model, board=board, kernels=kernels),
                          per_op=per_op, seed=seed)


def inspect(model: str | Path | bytes) -> dict[str, object]:
    """Ops, shapes, quantization, parameters, MACs per op and in total, arena size."""
    compiled = compile_model(model)
    g, p, report = compiled.graph, compiled.plan, compiled.library.report

    def tensor_info(i: int) -> dict[str, object]:
        if i < 0:
            return {"index": -1}
        t = g.tensors[i]
        q = t.quant
        return {
            "index": i, "name": t.name, "shape": list(t.shape), "dtype": t.dtype.label,
            "const": t.is_const,
            "scale": (list(q.scales) if q.per_channel else q.scale) if q else None,
            "zero_point": (list(q.zero_points) if q.per_channel else q.zero_point) if q else None,
        }

    ops = []
    for op in g.ops:
        attrs = {k: v for k, v in vars(op.attrs).items()}
        ops.append({
            "index": op.index, "type": op.kind.value, "attrs": attrs,
            "macs": OPS[op.kind].macs(g, op),
            "inputs": [tensor_info(i) for i in op.inputs],
            "outputs": [tensor_info(i) for i in op.outputs],
        })
    return {
        "model_sha256": report["model_sha256"],
        "ops": ops,
        "macs": report["macs"],
        "weights_bytes": report["weights_bytes"],
        "arena_bytes": p.arena_bytes,
        "arena_lower_bound_bytes": p.lower_bound_bytes,
        "arena_greedy_bytes": p.greedy_bytes,
        "arena_strategy": p.strategy,
        "arena_inplace": p.inplace,
        "scratch_bytes": p.scratch_bytes,
        "execution_order": report["execution_order"],
        "tensors": report["tensors"],
        "inputs": [tensor_info(i) for i in g.inputs],
        "outputs": [tensor_info(i) for i in g.outputs],
    }


def plot_plan(model: str | Path | bytes, svg: str | Path) -> None:
    """Draw the arena plan of ``model`` into an SVG file."""
    compiled = compile_model(model)
    name = Path(model).name if not isinstance(model, bytes) else "model"
    Path(svg).write_text(plan_svg(compiled.graph, compiled.plan, title=name))


@dataclass
class VerifyResult:
    reference: str
    cases: int = 0
    failures: list[tuple[str, list[Mismatch]]] = field(default_factory=list)
    note: str = ""
    target: dict[str, object] | None = None  # flash, RAM, instructions (Cortex-M boards)

    @property
    def ok(self) -> bool:
        return self.cases > 0 and not self.failures


def verify(model: str | Path | bytes, *, board: str = "host", inputs: int = 20, seed: int = 0,
           reference: str = "tflm", kernels: str = "auto") -> VerifyResult:
    """Build, compile on the host, and compare every output byte with the reference
    on ``inputs`` seeded random input sets plus the edge inputs."""
    if reference not in REFERENCES:
        raise OptionError(f"--reference {reference!r}: choose from {', '.join(REFERENCES)}")
    if inputs < 0:
        raise OptionError("--inputs must be >= 0")
    compiled = compile_model(model, board=board, prefix="model", kernels=kernels)
    if not compiled.board.is_host:
        result = VerifyResult(reference=reference)
        result.cases, result.failures, result.target = verify_on_board(
            compiled.library.files, compiled.library.report, compiled.graph, compiled.board,
            compiled.model, inputs=inputs, seed=seed, reference=reference)
        if result.failures and reference in KNOWN_DIFFERENCES:
            result.note = KNOWN_DIFFERENCES[reference]
        return result
    g = compiled.graph
    runner = make_runner(reference, compiled.model, len(g.outputs))
    result = VerifyResult(reference=reference)
    with tempfile.TemporaryDirectory(prefix="mcu-codegen-verify-") as tmp:
        src = Path(tmp)
        for name, body in compiled.library.files.items():
            (src / name).write_bytes(body)
        lib = HostLibrary(src, "model")
        try:
            sets = make_inputs(g, inputs, seed)
            if sets and any(t.is_variable for t in g.tensors):
                # Stateful: the sets run in a row with state carried over, then both
                # sides reset and the first set must give its first answer again.
                sets = [*sets, ("first set again after reset", sets[0][1])]
            for label, arrays in sets:
                if label.endswith("after reset"):
                    lib.reset()
                    runner.reset()
                outs = [np.zeros(g.tensors[i].shape, g.tensors[i].dtype.numpy)
                        for i in g.outputs]
                rc = lib.invoke(arrays, outs)
                if rc != 0:
                    raise VerifyError(f"model_invoke returned {rc} on input {label}")
                mismatches = compare(outs, runner(arrays))
                result.cases += 1
                if mismatches:
                    result.failures.append((label, mismatches))
        finally:
            lib.close()
    if result.failures and reference in KNOWN_DIFFERENCES:
        result.note = KNOWN_DIFFERENCES[reference]
    return result


__all__ = [
    "Compiled", "McuCodegenError", "VerifyResult", "bench", "bench_compiled", "build",
    "check_prefix", "compile_model",
    "inspect", "load", "plot_plan", "verify",
]
