"""The command line: a thin shell over mcu_codegen.api."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__, api
from .boards import all_boards
from .errors import McuCodegenError
from .ops.simd import KERNEL_CHOICES
from .target.report import format_table
from .verify.reference import REFERENCES

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(fn: F) -> F:
    """Report user errors as one line and a non-zero exit, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except McuCodegenError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("error: interrupted", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug: say so in one line, keep details on request
            if os.environ.get("MCU_CODEGEN_DEBUG"):
                traceback.print_exc()
            first = str(exc).splitlines()[0] if str(exc) else ""
            click.echo(
                f"internal error (a bug in mcu-codegen, please report it): "
                f"{type(exc).__name__}: {first}",
                err=True,
            )
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mcu-codegen")
def main() -> None:
    """Compile int8 TensorFlow Lite models into self-contained C99 libraries."""


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--board", default="host", show_default=True, help="Target board (see `boards`).")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False),
              help="Output folder for the library.")
@click.option("--prefix", default="model", show_default=True,
              help="C identifier prefixing every generated symbol.")
@click.option("--force", is_flag=True, help="Replace a non-empty folder not written by us.")
@click.option("--measure", is_flag=True,
              help="Cross-build (and run, on QEMU boards) to measure flash, RAM and "
                   "instructions into report.json's `target` section.")
@click.option("--kernels", type=click.Choice(KERNEL_CHOICES), default="auto", show_default=True,
              help="Kernel set: auto (the best the board allows: mve, dsp or portable), "
                   "or one of them.")
@_one_line_errors
def build(model: str, board: str, out: str, prefix: str, force: bool, measure: bool,
          kernels: str) -> None:
    """Generate the C library for MODEL into OUT."""
    start = time.perf_counter()
    compiled = api.build(model, out, board=board, prefix=prefix, force=force, measure=measure,
                         kernels=kernels)
    r = compiled.library.report
    if measure:
        click.echo(format_table(r["target"], title=Path(model).stem))  # type: ignore[arg-type]
    click.echo(
        f"wrote {out}: {len(list(Path(out).iterdir()))} files, arena {r['arena_bytes']} B "
        f"(lower bound {r['arena_lower_bound_bytes']} B), weights {r['weights_bytes']} B, "
        f"{r['macs']:,} MACs, {r['kernel_set']} kernels, {time.perf_counter() - start:.2f} s"
    )
    if r.get("kernel_set_fallback"):
        click.echo(f"note: {r['kernel_set_fallback']}")


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--plot", "plot", type=click.Path(dir_okay=False),
              help="Also draw the arena plan into this SVG file.")
@_one_line_errors
def inspect(model: str, as_json: bool, plot: str | None) -> None:
    """Show ops, shapes, quantization, MACs and the arena plan of MODEL."""
    info = api.inspect(model)
    if plot:
        api.plot_plan(model, plot)
    if as_json:
        click.echo(json.dumps(info, indent=2, default=str))
        return
    click.echo(f"{'op':>4}  {'type':<18} {'output shape':<18} {'MACs':>12}  attributes")
    for op in info["ops"]:  # type: ignore[attr-defined]
        shape = "x".join(str(d) for d in op["outputs"][0].get("shape", []))
        attrs = ", ".join(f"{k}={v}" for k, v in op["attrs"].items() if v is not None)
        click.echo(f"{op['index']:>4}  {op['type']:<18} {shape:<18} {op['macs']:>12,}  {attrs}")
    for kind in ("inputs", "outputs"):
        tensors: list[dict[str, Any]] = info[kind]  # type: ignore[assignment]
        for i, t in enumerate(tensors):
            click.echo(
                f"{kind[:-1]} {i}: {t['dtype']} {t['shape']} scale {t['scale']} "
                f"zero point {t['zero_point']}"
            )
    click.echo("\narena plan (execution order: "
               + " ".join(str(i) for i in info["execution_order"]) + ")")  # type: ignore[attr-defined]
    click.echo(f"{'tensor':>6}  {'bytes':>9}  {'place':<10} {'offset':>9}  {'ops':<9}  name")
    for t in info["tensors"]:  # type: ignore[attr-defined]
        offset = "-" if t["offset"] is None else f"{t['offset']:,}"
        ops = f"{t['first_op']}..{t['last_op']}"
        click.echo(f"{t['index']:>6}  {t['bytes']:>9,}  {t['place']:<10} {offset:>9}  {ops:<9}  "
                   f"{t['name'][:60]}")
    click.echo(
        f"total: {info['macs']:,} MACs, weights {info['weights_bytes']:,} B, "
        f"arena {info['arena_bytes']:,} B (lower bound {info['arena_lower_bound_bytes']:,} B, "
        f"TFLite-Micro-style greedy {info['arena_greedy_bytes']:,} B, "
        f"scratch {info['scratch_bytes']:,} B, {info['arena_strategy']}"
        f"{', in place' if info['arena_inplace'] else ''})"
    )


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--board", default="host", show_default=True)
@click.option("--inputs", "n_inputs", default=20, show_default=True, type=int,
              help="Random input sets (the edge inputs are added to these).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--reference", type=click.Choice(REFERENCES), default="tflm", show_default=True,
              help="Reference interpreter (reference kernels only).")
@click.option("--kernels", type=click.Choice(KERNEL_CHOICES), default="auto", show_default=True,
              help="Kernel set: auto (the best the board allows: mve, dsp or portable), "
                   "or one of them.")
@_one_line_errors
def verify(model: str, board: str, n_inputs: int, seed: int, reference: str,
           kernels: str) -> None:
    """Check that the generated library's outputs equal the reference, byte for byte."""
    start = time.perf_counter()
    result = api.verify(model, board=board, inputs=n_inputs, seed=seed, reference=reference,
                        kernels=kernels)
    took = time.perf_counter() - start
    if result.ok:
        click.echo(
            f"bit-exact: {result.cases} input sets on {board}, every output byte equal to "
            f"{reference} ({took:.2f} s)"
        )
        if result.target:
            click.echo(format_table(result.target))
        return
    click.echo(
        f"MISMATCH: {len(result.failures)} of {result.cases} input sets differ from {reference}",
        err=True,
    )
    for label, mismatches in result.failures[:5]:
        for m in mismatches:
            click.echo(f"  {label}: {m.describe()}", err=True)
    if result.note:
        click.echo(f"note: {result.note}", err=True)
    sys.exit(1)


@main.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.option("--board", required=True, help="A Cortex-M board (see `boards`).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--per-op/--no-per-op", default=True, show_default=True,
              help="Also count the instructions of each op (a second, profiled build).")
@click.option("--kernels", type=click.Choice(KERNEL_CHOICES), default="auto", show_default=True,
              help="Kernel set: auto (the best the board allows: mve, dsp or portable), "
                   "or one of them.")
@_one_line_errors
def bench(model: str, board: str, as_json: bool, per_op: bool, kernels: str) -> None:
    """Flash, RAM and instructions per inference of MODEL on BOARD (cross-built; run
    under QEMU with exact instruction counting where the board has a QEMU machine)."""
    section = api.bench(model, board=board, per_op=per_op, kernels=kernels)
    if as_json:
        click.echo(json.dumps({"model": Path(model).stem, **section}, indent=2))
        return
    click.echo(format_table(section, title=Path(model).stem))


@main.command("boards")
@_one_line_errors
def boards_cmd() -> None:
    """List the boards with their core and memory limits."""
    click.echo(f"{'board':<14} {'core':<13} {'flash':>10} {'RAM':>10}  description")
    for b in all_boards():
        flash = f"{b.flash_bytes // 1024} KB" if b.flash_bytes else "-"
        ram = f"{b.ram_bytes // 1024} KB" if b.ram_bytes else "-"
        click.echo(f"{b.name:<14} {b.core:<13} {flash:>10} {ram:>10}  {b.description}")


if __name__ == "__main__":
    main()
