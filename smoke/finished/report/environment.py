"""The report's "Metadata": target, wikis, MediaWiki version, smoke, git, run — as properties.

Allure reads it as ``environment.properties`` in a results directory of its own (never the
run's: the run's allure-results are not modified).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from smoke import __version__
from smoke.finished.report.run_data import label
from smoke.output.allure_labels import TARGET_LABEL
from smoke.output.environment import api_url, git_sha, siteinfo_version

PROPERTIES_FILE = "environment.properties"


def _meta_value(environment: dict[str, Any], key: str) -> str | None:
    for name, value in environment.items():
        if name.lower() == key.lower() and value not in (None, ""):
            return str(value)
    return None


def _mediawiki_version(
    recorded: dict[str, Any],
    checks: list[tuple[str, str]],
    version_of: Callable[[str], str],
    notes: list[str],
) -> str:
    """As the run recorded it, else asked of the first wiki with an API (noted when that fails)."""
    version = _meta_value(recorded, "MediaWiki")
    if version is not None:
        return version
    asked = next(((w, a) for w, u in checks if (a := api_url(u))), None)
    if asked is None:
        notes.append("MediaWiki version unknown: no check URL to ask siteinfo of")
        return "unknown"
    try:
        return f"{version_of(asked[1])} ({asked[0]}, asked at report time)"
    except (OSError, ValueError) as exc:
        notes.append(f"MediaWiki version unknown: siteinfo of {asked[0]} failed: {exc}")
        return "unknown"


def environment_info(
    run_id: str,
    meta: dict[str, Any],
    checks: list[tuple[str, str]],
    allure_results: list[dict[str, Any]],
    *,
    version_of: Callable[[str], str] = siteinfo_version,
    commit: Callable[[], str | None] = git_sha,
    notes: list[str] | None = None,
) -> dict[str, str]:
    """What the report's "Metadata" shows. ``run.environment`` of results.json (name → value)
    wins over anything looked up now; the MediaWiki version is otherwise asked of one wiki."""
    recorded = meta.get("environment")
    recorded = recorded if isinstance(recorded, dict) else {}
    notes = notes if notes is not None else []
    target = meta.get("target") or next(
        (t for r in allure_results if (t := label(r, TARGET_LABEL))), ""
    )
    wikis = sorted({wiki for wiki, _url in checks})
    info: dict[str, str] = {"target": str(target) or "unknown", "wikis": ", ".join(wikis)}
    info["MediaWiki"] = _mediawiki_version(recorded, checks, version_of, notes)
    info["smoke"] = str(meta.get("smoke_version") or __version__)
    sha = _meta_value(recorded, "git")
    if sha is None:
        now = commit()
        sha = f"{now} (at report time)" if now else None
    if sha:
        info["git"] = sha
    info["run"] = run_id
    for name, value in recorded.items():  # anything else the run recorded, as it recorded it
        if not any(name.lower() == known.lower() for known in info) and value not in (None, ""):
            info[str(name)] = str(value)
    return info


def _escape_properties(text: str, key: bool) -> str:
    out = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")
    out = out.replace("\t", "\\t")
    if key:
        out = out.replace(" ", "\\ ").replace("=", "\\=").replace(":", "\\:")
    elif out.startswith(" "):
        out = "\\" + out  # a leading blank would be eaten as separator whitespace
    return out


def properties_text(items: dict[str, str]) -> str:
    """Java-properties text (what Allure reads as environment.properties)."""
    return "".join(
        f"{_escape_properties(k, True)}={_escape_properties(v, False)}\n" for k, v in items.items()
    )
