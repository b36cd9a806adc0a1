"""Making an edit now, and ageing edits: how tests see fresh and old edits without sleeping.

Python API (tests and the fault catalogue use these; the CLI is ``smoke testbed edit|age``)::

    from smoke.testbed.edits import edit, age_edits

    made = edit(state_dir, "enwiki")                  # saved now by Alice, score job run
    made.rev_id, made.timestamp, made.scored          # 123, "20261207031500", True
    edit(state_dir, "enwiki", run_jobs=False)         # saved now, its ORES score job still queued
    edit(state_dir, "enwiki", age_s=2 * 3600)         # saved, scored, then moved 2 h into the past
    age_edits(state_dir, "enwiki", 3600)              # every edit of the wiki 1 h older
    age_edits(state_dir, "enwiki", 3600, rev_ids=[made.rev_id])  # only that one

:func:`edit` saves through MediaWiki itself (``maintenance/edit.php``: the RecentChange hooks run,
so Extension:ORES queues its ORESFetchScoreJob as on a web edit), then by default runs the job
queue (``runJobs.php``) as production's job runners would; with a scoring fault on, the job fails
and :attr:`Edit.job_error` says why (the edit stays unscored, nothing is raised).

:func:`age_edits` rewrites ``rev_timestamp`` and ``rc_timestamp`` in the wiki's SQLite database:
to the wiki the edit was simply made earlier (RecentChanges, Watchlist and Contributions order
and filter by those columns). Nothing else is touched; scores stay as they are.
"""

from __future__ import annotations

import sqlite3
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from smoke.testbed import mediawiki
from smoke.testbed.errors import BadInput, EnvironmentProblem
from smoke.testbed.state import FarmState, NoFarm, WikiState, load_state

DEFAULT_TITLE = "Smoke fresh edit"
DEFAULT_USER = "Alice"  # a seeded, non-bot user: ORES scores her edits (it skips bots)
_MW_TIME = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class Edit:
    wiki: str
    title: str
    rev_id: int
    timestamp: str  # MediaWiki's 14-digit UTC timestamp, after any ageing
    scored: bool  # ores_classification has rows for it
    job_error: str | None  # the failed score job's line from runJobs.php, if one failed


def _wiki(state_dir: Path, wiki_id: str) -> tuple[FarmState, WikiState]:
    try:
        state = load_state(state_dir)
    except NoFarm as exc:
        raise BadInput(str(exc)) from None
    if wiki_id not in state.wikis:
        raise BadInput(f"unknown wiki {wiki_id!r}; the farm has: {', '.join(state.wikis)}")
    return state, state.wikis[wiki_id]


def database(wiki: WikiState) -> Path:
    return wiki.dir / "db" / f"{wiki.id}.sqlite"


def _connect(wiki: WikiState) -> sqlite3.Connection:
    path = database(wiki)
    if not path.exists():
        raise EnvironmentProblem(f"{wiki.id}: no database at {path}; run `smoke testbed up`")
    return sqlite3.connect(path, timeout=30)  # php -S may be writing: wait for its lock


def edit(
    state_dir: Path,
    wiki_id: str,
    *,
    title: str = DEFAULT_TITLE,
    text: str | None = None,
    user: str = DEFAULT_USER,
    age_s: float = 0.0,
    run_jobs: bool = True,
) -> Edit:
    """Save one edit now through MediaWiki; see the module docstring."""
    state, wiki = _wiki(state_dir, wiki_id)
    tree = state.tree
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    content = text if text is not None else f"A fresh edit made by smoke at {stamp}.\n"
    result = subprocess.run(
        ["php", str(tree / "maintenance" / "edit.php"), "--user", user,
         "--summary", "smoke testbed edit", title],
        input=content,
        env=mediawiki.php_env(wiki.dir, tree),
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    if result.returncode != 0:
        out = (result.stdout + result.stderr).strip().splitlines()
        raise EnvironmentProblem(f"{wiki_id}: edit.php failed: {out[-1] if out else 'no output'}")
    rev_id = _latest_revision(wiki, title)
    job_error = None
    if run_jobs:
        failed = mediawiki.run_jobs_failures(wiki, tree)
        job_error = failed[0] if failed else None
    if age_s:
        age_edits(state_dir, wiki_id, age_s, rev_ids=[rev_id])
    with _connect(wiki) as db:
        (timestamp,) = db.execute(
            "SELECT rev_timestamp FROM revision WHERE rev_id = ?", (rev_id,)
        ).fetchone()
        scored = _scored(db, rev_id)
    return Edit(wiki_id, title, rev_id, _text(timestamp), scored, job_error)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _scored(db: sqlite3.Connection, rev_id: int) -> bool:
    try:
        row = db.execute(
            "SELECT 1 FROM ores_classification WHERE oresc_rev = ? LIMIT 1", (rev_id,)
        ).fetchone()
    except sqlite3.OperationalError:
        return False  # a wiki without ORES has no such table
    return row is not None


def _latest_revision(wiki: WikiState, title: str) -> int:
    db_title = title.replace(" ", "_")
    db_title = db_title[:1].upper() + db_title[1:]  # MediaWiki's first-letter capitalisation
    db = _connect(wiki)
    try:
        row = db.execute(
            "SELECT page_latest FROM page WHERE page_namespace = 0 AND page_title = ?",
            (db_title,),
        ).fetchone()
    finally:
        db.close()
    if row is None:
        raise EnvironmentProblem(f"{wiki.id}: edit.php saved no page {title!r}")
    return int(row[0])


def shifted(timestamp: str | bytes, seconds: float) -> str:
    """A MediaWiki timestamp ``seconds`` earlier (pure)."""
    moment = datetime.strptime(_text(timestamp), _MW_TIME) - timedelta(seconds=seconds)
    return moment.strftime(_MW_TIME)


def age_edits(
    state_dir: Path, wiki_id: str, seconds: float, *, rev_ids: Sequence[int] | None = None
) -> int:
    """Move edits ``seconds`` into the past (all of the wiki's, or ``rev_ids``); the number of
    revisions moved."""
    if seconds < 0:
        raise BadInput(f"ageing goes back in time only, not {seconds} s forward")
    _, wiki = _wiki(state_dir, wiki_id)
    db = _connect(wiki)
    try:
        with db:
            query = "SELECT rev_id, rev_timestamp FROM revision"
            params: tuple[int, ...] = ()
            if rev_ids is not None:
                query += f" WHERE rev_id IN ({','.join('?' * len(rev_ids))})"
                params = tuple(rev_ids)
            rows = db.execute(query, params).fetchall() if rev_ids != [] else []
            for rev_id, timestamp in rows:
                db.execute(
                    "UPDATE revision SET rev_timestamp = ? WHERE rev_id = ?",
                    (shifted(timestamp, seconds), rev_id),
                )
                for rc_id, rc_timestamp in db.execute(
                    "SELECT rc_id, rc_timestamp FROM recentchanges WHERE rc_this_oldid = ?",
                    (rev_id,),
                ).fetchall():
                    db.execute(
                        "UPDATE recentchanges SET rc_timestamp = ? WHERE rc_id = ?",
                        (shifted(rc_timestamp, seconds), rc_id),
                    )
    finally:
        db.close()
    return len(rows)
