"""An SVG drawing of an arena plan: x is the op (execution step), y the arena offset,
one rectangle per buffer, the lower bound as a dashed line."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ..ir import Graph
from ..planner import ArenaPlan, Place

_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
           "#ff9da7", "#9c755f", "#bab0ac")


def _text(value: str) -> str:
    """Model-supplied text for SVG: XML-escaped, without the control characters XML
    forbids."""
    return escape("".join(ch if ch >= " " or ch in "\t\n" else "?" for ch in value))


def plan_svg(g: Graph, plan: ArenaPlan, title: str = "") -> str:
    steps = max(len(plan.order), 1)
    top = max(plan.arena_bytes, plan.lower_bound_bytes, 1)
    width, height, left, bottom, margin = 960, 480, 80, 50, 30
    right = 90
    plot_w, plot_h = width - left - right, height - bottom - margin

    def x(step: float) -> float:
        return left + plot_w * step / steps

    def y(offset: float) -> float:
        return margin + plot_h * (1 - offset / (top * 1.08))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="sans-serif" font-size="11">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="18" font-size="13">{_text(title)} arena {plan.arena_bytes:,} B'
        f" (lower bound {plan.lower_bound_bytes:,} B, greedy {plan.greedy_bytes:,} B)</text>",
    ]
    for i, b in enumerate(b for b in plan.buffers if b.place is Place.ARENA):
        off = plan.offsets[b.id]
        x0, x1 = x(b.first), x(b.last + 1)
        y0, y1 = y(off + b.nbytes), y(off)
        names = ", ".join(g.tensors[t].name for t in b.tensors) or f"scratch of op {b.scratch_for}"
        tip = f"{names}: {b.nbytes:,} B at offset {off:,}, steps {b.first}..{b.last}"
        parts.append(
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 1):.1f}" '
            f'height="{max(y1 - y0, 1):.1f}" fill="{_COLORS[i % len(_COLORS)]}" '
            f'fill-opacity="0.75" stroke="black" stroke-width="0.5">'
            f"<title>{_text(tip)}</title></rect>"
        )
    lines: list[tuple[int, str, str, float, str]] = [
        (plan.arena_bytes, "arena", "", left + plot_w + 4, "start")
    ]
    if plan.lower_bound_bytes != plan.arena_bytes:
        lines.append((plan.lower_bound_bytes, "lower bound", "6,4", left - 4, "end"))
    else:
        lines[0] = (plan.arena_bytes, "arena = bound", "", left + plot_w + 4, "start")
    for value, label, dash, lx, anchor in lines:
        yy = y(value)
        style = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + plot_w}" y2="{yy:.1f}" '
                     f'stroke="black"{style}/>')
        parts.append(f'<text x="{lx}" y="{yy + 4:.1f}" text-anchor="{anchor}">'
                     f"{escape(label)}</text>")
    for k in range(5):
        tick = top * k / 4
        parts.append(f'<text x="{left - 4}" y="{y(tick) + 4:.1f}" text-anchor="end" '
                     f'fill="#555">{tick:,.0f}</text>')
    parts.append(f'<line x1="{left}" y1="{y(0):.1f}" x2="{left + plot_w}" y2="{y(0):.1f}" '
                 'stroke="black"/>')
    for step, op_pos in enumerate(plan.order):
        if steps <= 40 or step % max(1, steps // 40) == 0:
            parts.append(f'<text x="{x(step + 0.5):.1f}" y="{y(0) + 14:.1f}" '
                         f'text-anchor="middle">{g.ops[op_pos].index}</text>')
    parts.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">'
                 "op (model index, in execution order)</text>")
    parts.append(f'<text x="14" y="{margin + plot_h / 2}" transform="rotate(-90 14 '
                 f'{margin + plot_h / 2})" text-anchor="middle">arena offset (bytes)</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
