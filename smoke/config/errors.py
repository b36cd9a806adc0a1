"""The one exception the configuration layer raises, and the helpers that word its messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from os import PathLike

# A location inside the parsed YAML: mapping keys and sequence indexes, outermost first.
FieldPath = tuple[str | int, ...]


class ConfigError(Exception):
    """wikis.yaml (or a selection made on the command line) is wrong; nothing was run.

    ``str()`` gives one line a human can act on, e.g.
    ``wikis.yaml:12: targets.beta.wikis[2].ores[0]: unknown ORES model 'damagin' (did you mean
    'damaging'?)``. ``file``, ``line`` and ``field`` are kept apart for callers that want them.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | PathLike[str] | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = None if file is None else str(file)
        self.line = line
        self.field = field

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.field:
            parts.append(self.field)
        parts.append(self.message)
        return ": ".join(parts)


class FieldProblem(ValueError):
    """Raised inside pydantic validators when the problem sits *below* the validated field.

    pydantic reports a validator's error at the field it validates; ``subpath`` lets the loader
    point at the exact list item or key (and so at its line) instead.
    """

    def __init__(self, message: str, subpath: FieldPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.subpath = subpath


def format_path(path: Sequence[str | int]) -> str:
    """``("targets", "beta", "wikis", 2, "ores")`` -> ``targets.beta.wikis[2].ores``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or an empty string when nothing is close."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(choices)


def describe_value(value: object) -> str:
    """The kind of a YAML value, for "expected X, got Y". Never the value: it may be a secret."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


class ConfigSource:
    """Where a loaded config came from: the file name and the line of every key and list item.

    Kept so that problems found *after* loading (a missing environment variable, a wiki missing
    from the testbed farm) can still point at file:line:field.
    """

    def __init__(self, file: str, lines: dict[FieldPath, int]) -> None:
        self.file = file
        self.lines = lines

    def line_of(self, path: FieldPath) -> int | None:
        """Line of ``path``, or of its nearest enclosing key when ``path`` itself is absent."""
        for end in range(len(path), -1, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return None


def error_at(source: ConfigSource | None, path: FieldPath, message: str) -> ConfigError:
    """A ConfigError pointing at ``path`` of a config that may or may not come from a file."""
    if source is None:
        return ConfigError(message, field=format_path(path) or None)
    return ConfigError(
        message, file=source.file, line=source.line_of(path), field=format_path(path) or None
    )
