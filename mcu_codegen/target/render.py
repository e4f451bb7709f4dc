"""Render the target templates (templates/firmware_*.j2, library.mk.j2, ...)."""

from __future__ import annotations

from typing import Any

import jinja2

from ..resources import data_dir


def render(template: str, **ctx: Any) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    return env.get_template(template).render(**ctx)
