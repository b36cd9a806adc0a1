"""``smoke parity``: what a target offers of each wiki of a reference target — the gaps.

2017's fault (T181006) could not show on Beta because Beta offered less than production: no
goodfaith, no per-wiki thresholds. For every wiki of the reference (from wikis.yaml, by id) this
reads both sides live — one Special:RecentChanges page (``wgStructuredChangeFilters``) and one
api.php request (``meta=ores|siteinfo``) per wiki, no browser — and lists each ORES model and
level the reference offers that the target does not. A single reader's handful of requests,
so production may be the reference; sweeps of production stay refused (smoke.plan.safety).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from smoke.config import ConfigError, SmokeConfig
from smoke.model.exit_codes import ExitCode
from smoke.survey.http import PoliteReader
from smoke.survey.offer import Levels, WikiOffer, describe_levels, read_wiki
from smoke.survey.parallel import DEFAULT_WORKERS, by_host
from smoke.testbed.state import NoFarm, load_state


@dataclass(frozen=True)
class Gap:
    """Something the reference offers on a wiki that the target does not."""

    wiki: str
    kind: str  # "wiki" (not listed by the target), "model" or "level"
    text: str
    model: str = ""
    level: str = ""


@dataclass(frozen=True)
class WikiParity:
    wiki: str
    reference: WikiOffer
    target: WikiOffer | None  # None: the target's wikis.yaml section does not list the wiki
    gaps: tuple[Gap, ...] = ()
    unreadable: tuple[str, ...] = ()  # "<side>: <problem>"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParityReport:
    target: str
    reference: str
    wikis: tuple[WikiParity, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def gaps(self) -> list[Gap]:
        return [gap for wiki in self.wikis for gap in wiki.gaps]

    @property
    def unreadable(self) -> list[tuple[str, str]]:
        return [(w.wiki, problem) for w in self.wikis for problem in w.unreadable]

    @property
    def exit_code(self) -> ExitCode:
        """1 when the target covers less (any gap); else 3 when a wiki could not be read."""
        if self.gaps:
            return ExitCode.DEFECT
        return ExitCode.BROKEN if self.unreadable else ExitCode.OK


def _sentence_start(name: str) -> str:
    return name[:1].upper() + name[1:]


def compare(wiki: str, ref: WikiOffer, tgt: WikiOffer | None, names: tuple[str, str]) -> WikiParity:
    """The gaps of one wiki; ``names`` = (target, reference) as the sentences should say them."""
    target, reference = names
    unreadable = [f"{reference}: {ref.problem}"] if not ref.read else []
    if tgt is not None and not tgt.read:
        unreadable.append(f"{target}: {tgt.problem}")
    notes = [f"{reference}: {n}" for n in ref.notes]
    notes += [f"{target}: {n}" for n in (tgt.notes if tgt else ())]
    if unreadable or ref.levels is None:
        return WikiParity(wiki, ref, tgt, unreadable=tuple(unreadable), notes=tuple(notes))
    offered = {m: tuple(v) for m, v in ref.levels.items() if v}
    if tgt is None:
        if not offered:  # nothing ORES could show there, so nothing lost
            notes.append(f"not in {target}; {reference} offers no ORES filters there")
            return WikiParity(wiki, ref, None, notes=tuple(notes))
        text = (
            f"{_sentence_start(target)} cannot show an ORES fault on {wiki}: {reference} offers "
            f"{describe_levels(offered)}, {target} does not list {wiki}"
        )
        return WikiParity(wiki, ref, None, (Gap(wiki, "wiki", text),), notes=tuple(notes))
    assert tgt.levels is not None  # tgt.read
    gaps = _ores_gaps(wiki, offered, tgt.levels, names)
    notes += _version_notes(ref, tgt, names)
    return WikiParity(wiki, ref, tgt, gaps, notes=tuple(notes))


def _ores_gaps(wiki: str, offered: Levels, has: Levels, names: tuple[str, str]) -> tuple[Gap, ...]:
    """A model the target lacks is one gap; otherwise each level it lacks is one."""
    target, reference = names
    who = _sentence_start(target)
    gaps: list[Gap] = []
    for model, levels in offered.items():
        own = has.get(model, ())
        if not own:
            text = (
                f"{who} cannot show a {model} fault on {wiki}: {reference} offers "
                f"{describe_levels({model: levels})}, {target} none"
            )
            gaps.append(Gap(wiki, "model", text, model))
            continue
        gaps += [
            Gap(
                wiki,
                "level",
                f"{who} cannot show a {model} {level} fault on {wiki}: {reference} offers it, "
                f"{target} does not",
                model,
                level,
            )
            for level in levels
            if level not in own
        ]
    return tuple(gaps)


def _version_notes(ref: WikiOffer, tgt: WikiOffer, names: tuple[str, str]) -> list[str]:
    """Different versions are worth knowing, not a gap: Beta runs newer code than production."""
    if ref.api is None or tgt.api is None:
        return []
    pairs = (
        ("MediaWiki", ref.api.mediawiki, tgt.api.mediawiki),
        ("ORES extension", ref.api.ores_extension, tgt.api.ores_extension),
    )
    return [
        f"{what}: {names[1]} {r or 'absent'}, {names[0]} {t or 'absent'}"
        for what, r, t in pairs
        if r != t
    ]


def base_urls(config: SmokeConfig, target: str, testbed_dir: Path | None) -> dict[str, str]:
    """wiki id -> the directory holding index.php, for every wiki of ``target``.

    ConfigError for an unknown target (with a suggestion) or a testbed target without a farm.
    """
    model = config.target(target)
    if model.testbed:
        try:
            state = load_state(testbed_dir)
        except NoFarm as exc:
            raise ConfigError(f"target {target!r} is the local testbed, but {exc}") from None
        farm = {wiki_id: wiki.url.rstrip("/") for wiki_id, wiki in state.wikis.items()}
        return {w.id: farm[w.id] for w in model.wikis if w.id in farm}
    urls: dict[str, str] = {}
    for wiki in model.wikis:
        template = wiki.url or model.url or ""  # the schema guarantees one of them
        urls[wiki.id] = template.format(id=wiki.id, lang=wiki.lang or "").rstrip("/")
    return urls


def read_all(
    urls: Sequence[str], reader: PoliteReader, *, workers: int = DEFAULT_WORKERS
) -> dict[str, WikiOffer]:
    """Each distinct base URL read once; hosts in parallel, one request in flight per host."""
    unique = sorted(set(urls))
    found = by_host(unique, lambda u: u, lambda u: read_wiki(reader, u), workers=workers)
    return {unique[i]: offer for i, offer in found.items()}


def parity(
    config: SmokeConfig,
    target: str,
    reference: str,
    reader: PoliteReader,
    *,
    wikis: Sequence[str] = (),
    testbed_dir: Path | None = None,
    workers: int = DEFAULT_WORKERS,
) -> ParityReport:
    ref_urls = base_urls(config, reference, testbed_dir)
    tgt_urls = base_urls(config, target, testbed_dir)
    ids = [w.id for w in config.target(reference).wikis]
    if wikis:
        ids = [i for i in ids if any(fnmatchcase(i, p) for p in wikis)]
        if not ids:
            raise ConfigError(f"no wiki of target {reference!r} matches {', '.join(wikis)}")
    notes = [f"{i}: not in the testbed farm" for i in ids if i not in ref_urls]
    ids = [i for i in ids if i in ref_urls]
    wanted = [ref_urls[i] for i in ids] + [tgt_urls[i] for i in ids if i in tgt_urls]
    offers = read_all(wanted, reader, workers=workers)
    rows = tuple(
        compare(
            wiki_id,
            offers[ref_urls[wiki_id]],
            offers[tgt_urls[wiki_id]] if wiki_id in tgt_urls else None,
            (target, reference),
        )
        for wiki_id in ids
    )
    return ParityReport(target, reference, rows, tuple(notes))
