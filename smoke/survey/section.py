"""A wikis.yaml ``targets:`` section as text: one flow-style line per wiki, comments kept.

``smoke discover`` and ``smoke parity --write`` print the same shape, so a section from either
can be pasted into wikis.yaml. ``ores:`` is written as the levels each model offers
(``{damaging: [likelygood, …], goodfaith: […]}``, canonical order) or ``[]`` for a wiki
offering no ORES filters; the list-of-models form is only used when the levels are unknown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from smoke.model.checks import ORES_LEVELS, ORES_MODELS
from smoke.survey.offer import Levels


def ores_value(levels: Levels) -> dict[str, list[str]] | list[str]:
    """The ``ores:`` value for ``levels``: the mapping form, or ``[]`` when nothing is offered."""
    value = {
        model: [level for level in ORES_LEVELS if level in levels.get(model, ())]
        for model in ORES_MODELS
        if levels.get(model)
    }
    return value if value else []


def flow(value: Any) -> str:
    """``value`` as one line of YAML flow style (strings quoted only where YAML needs it)."""
    text: str = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=math.inf, allow_unicode=True
    )
    return text.strip().removesuffix("...").strip()


def wiki_line(fields: Mapping[str, Any], comment: str = "") -> str:
    """``      - {id: …, …}  # comment`` (list item of a target's ``wikis:``)."""
    line = f"      - {flow(dict(fields))}"
    return f"{line}  # {comment}" if comment else line


def section(
    target: str,
    wiki_lines: Sequence[str],
    *,
    header: Sequence[str] = (),
    settings: Mapping[str, Any] | None = None,
) -> str:
    """The whole ``targets:`` section: header comments, target settings, then the wikis."""
    lines = [f"# {text}" if text else "#" for text in header]
    lines += ["targets:", f"  {target}:"]
    for key, value in (settings or {}).items():
        lines.append(f"    {key}: {flow(value)}")
    lines.append("    wikis:")
    lines.extend(wiki_lines)
    return "\n".join(lines) + "\n"
