"""``smoke parity`` output: the table, the gap list in plain words, JSON, and a wikis.yaml section.

The gap list is the point: each line names a fault the target cannot show because it offers
less than the reference ("Beta cannot show a goodfaith verylikelybad fault on ruwiki: …").
``--write`` turns the reference's levels into the target's expectations, so a smoke run on the
target fails where it offers less, until someone configures it like the reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from smoke.config import SmokeConfig
from smoke.model.checks import ORES_LEVELS
from smoke.survey.offer import Levels, WikiOffer
from smoke.survey.parity import ParityReport, WikiParity
from smoke.survey.section import flow, ores_value, section, wiki_line

_SHORT = {"likelygood": "lg", "maybebad": "mb", "likelybad": "lb", "verylikelybad": "vlb"}
LEGEND = "levels: lg likelygood, mb maybebad, lb likelybad, vlb verylikelybad"


def short_levels(levels: Levels | None) -> str:
    if levels is None:
        return "?"
    lines = [
        f"{model}: {'all 4' if tuple(v) == ORES_LEVELS else ' '.join(_SHORT[x] for x in v)}"
        for model, v in levels.items()
        if v
    ]
    return "\n".join(lines) or "none"


def _versions(row: WikiParity, attribute: str) -> str:
    def one(offer: WikiOffer | None) -> str:
        if offer is None or offer.api is None:
            return "-"
        return str(getattr(offer.api, attribute)) or "absent"

    ref, tgt = one(row.reference), one(row.target)
    return ref if ref == tgt else f"{ref} / {tgt}"


def _verdict(row: WikiParity) -> str:
    if row.gaps:
        return f"[red]{len(row.gaps)} gap{'s' if len(row.gaps) > 1 else ''}[/red]"
    if row.unreadable:
        return "[yellow]not read[/yellow]"
    return "[green]covered[/green]"


def print_table(report: ParityReport, stream: TextIO) -> None:
    # A CI log is no terminal: rich would squeeze the table into 80 columns.
    console = Console(file=stream, width=None if stream.isatty() else 132)
    table = Table(title=f"smoke parity — target {report.target}, reference {report.reference}")
    table.add_column("wiki")
    table.add_column(f"in {report.target}")
    table.add_column(f"{report.reference} offers")
    table.add_column(f"{report.target} offers")
    table.add_column("MediaWiki")
    table.add_column("ORES ext.")
    table.add_column("")
    for row in report.wikis:
        if row.target is None:
            listed = "not listed"
        else:
            listed = "answers" if row.target.api is not None else "[yellow]no answer[/yellow]"
        table.add_row(
            row.wiki,
            listed,
            short_levels(row.reference.levels),
            short_levels(row.target.levels) if row.target else "-",
            _versions(row, "mediawiki"),
            _versions(row, "ores_extension"),
            _verdict(row),
        )
    console.print(table)
    console.print(LEGEND + f"; versions: {report.reference} / {report.target} where they differ")


def gap_lines(report: ParityReport) -> list[str]:
    """The plain-words summary under the table: gaps, then what could not be read, then notes."""
    lines: list[str] = []
    gaps = report.gaps
    if gaps:
        noun = "gap" if len(gaps) == 1 else "gaps"
        lines.append(f"{len(gaps)} {noun}: {report.target} offers less than {report.reference}")
        lines += [f"  - {gap.text}" for gap in gaps]
    else:
        lines.append(f"no gap: {report.target} offers everything {report.reference} offers")
    if report.unreadable:
        lines.append(f"not read ({len(report.unreadable)}; no verdict for these wikis):")
        lines += [f"  - {wiki}: {problem}" for wiki, problem in report.unreadable]
    notes = [*report.notes, *(f"{w.wiki}: {n}" for w in report.wikis for n in w.notes)]
    if notes:
        lines.append("notes:")
        lines += [f"  - {note}" for note in notes]
    return lines


def _side(offer: WikiOffer | None) -> dict[str, Any] | None:
    if offer is None:
        return None
    api, levels = offer.api, offer.levels
    return {
        "url": offer.url,
        "read": offer.read,
        "problem": offer.problem or None,
        "mediawiki": api.mediawiki if api else None,
        "ores_extension": (api.ores_extension or None) if api else None,
        "ores_models": list(api.models) if api else None,
        "levels": None if levels is None else {m: list(v) for m, v in levels.items()},
        "notes": list(offer.notes),
    }


def to_json(report: ParityReport) -> dict[str, Any]:
    return {
        "target": report.target,
        "reference": report.reference,
        "exit_code": int(report.exit_code),
        "covers": not report.gaps,
        "gaps": [
            {
                "wiki": g.wiki,
                "kind": g.kind,
                "model": g.model or None,
                "level": g.level or None,
                "text": g.text,
            }
            for g in report.gaps
        ],
        "unreadable": [{"wiki": w, "problem": p} for w, p in report.unreadable],
        "wikis": [
            {
                "id": row.wiki,
                "listed": row.target is not None,
                "reference": _side(row.reference),
                "target": _side(row.target),
                "gaps": [g.text for g in row.gaps],
                "notes": list(row.notes),
            }
            for row in report.wikis
        ],
        "notes": list(report.notes),
    }


def expectations_yaml(config: SmokeConfig, report: ParityReport) -> str:
    """The target's wikis.yaml section with the reference's levels as its ``ores:``."""
    target = config.target(report.target)
    rows: Mapping[str, WikiParity] = {row.wiki: row for row in report.wikis}
    lines: list[str] = []
    for wiki in target.wikis:
        fields = wiki.model_dump(mode="json", exclude_defaults=True, exclude_none=True)
        ores = fields.pop("ores")
        if isinstance(ores, dict):  # as the schema holds it: model -> levels ({} for none)
            ores = ores_value(ores)
        row = rows.get(wiki.id)
        if row is None:
            comment = f"kept: not compared with {report.reference}"
        elif row.reference.read and row.reference.levels is not None:
            ores = ores_value(row.reference.levels)
            comment = f"as {report.reference} offers"
        else:
            comment = f"kept: {report.reference} could not be read ({row.reference.problem})"
        lines.append(wiki_line({**fields, "ores": ores}, comment))
    for row in report.wikis:
        if row.target is None and row.reference.levels:
            lines.append(
                f"      # {row.wiki}: not in {report.target}; {report.reference} offers "
                f"ores: {flow(ores_value(row.reference.levels))}"
            )
    settings = target.model_dump(
        mode="json", exclude_defaults=True, exclude_none=True, exclude={"wikis"}
    )
    header = [
        f"smoke parity --target {report.target} --reference {report.reference} --write:",
        f"the ORES levels {report.reference} offers, as the expectations of {report.target}.",
    ]
    return section(report.target, lines, header=header, settings=settings)
