"""wikis.yaml -> SmokeConfig, with every problem reported as file:line: field: message.

:mod:`smoke.config.yamlread` gives the data and the line of every key and list item; pydantic's
error locations are then looked up in that table. This module is the one boundary where pydantic
exceptions are translated into ConfigError (yamlread does the same for YAML's).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from smoke.config.errors import (
    ConfigError,
    ConfigSource,
    FieldPath,
    FieldProblem,
    describe_value,
    format_path,
)
from smoke.config.gcpause import gc_paused
from smoke.config.schema import SmokeConfig
from smoke.config.yamlread import read_yaml

# Hints added to "missing required key" for the keys people most often forget.
_MISSING_HINTS = {
    "ores": (
        " (its ORES models: [damaging, goodfaith] for the extension's default levels, a mapping "
        "model -> levels, or [] when it has none)"
    ),
    "targets": " (at least one target with its wikis)",
    "wikis": " (the wikis of this target)",
}
_EXPECTED = {
    "string_type": "a string",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "int_type": "a number",
    "int_parsing": "a number",
    "float_type": "a number",
    "float_parsing": "a number",
    "list_type": "a list",
    "tuple_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "date_type": "a date like 2027-06-30",
    "date_parsing": "a date like 2027-06-30",
    "date_from_datetime_parsing": "a date like 2027-06-30",
    "date_from_datetime_inexact": "a date like 2027-06-30",
}


def load_config(path: str | PathLike[str]) -> SmokeConfig:
    """Read and validate wikis.yaml. Raises ConfigError naming file, line and field."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError("no such file", file=shown) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a YAML file", file=shown) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text ({exc.reason})", file=shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", file=shown) from None
    return parse_config(text, file=shown)


def parse_config(text: str, *, file: str = "wikis.yaml") -> SmokeConfig:
    """Validate YAML text; ``file`` is only used in messages."""
    with gc_paused():  # a large file builds many objects and no cycles (see gcpause)
        data, lines = read_yaml(text, file)
        if data is None:
            raise ConfigError(
                "the file is empty; it needs at least a 'targets:' mapping", file=file
            )
        if not isinstance(data, dict):
            raise ConfigError(
                "the top level must be a mapping (contact:, timeouts:, targets:, ...)",
                file=file,
                line=1,
            )
        source = ConfigSource(file, lines)
        try:
            config = SmokeConfig.model_validate(data)
        except ValidationError as exc:
            raise _translate(exc, source) from None
    config._source = source
    return config


def _translate(exc: ValidationError, source: ConfigSource) -> ConfigError:
    """The first problem in file order, as one ConfigError."""
    problems = [_problem(error) for error in exc.errors(include_url=False)]
    # A failed list item also makes pydantic complain about the list ("at least 1 item"):
    # keep only the deepest problems, which are the causes.
    problems = [
        (path, message)
        for path, message in problems
        if not any(len(other) > len(path) and other[: len(path)] == path for other, _ in problems)
    ]
    problems.sort(key=lambda p: source.line_of(p[0]) or 0)
    path, message = problems[0]
    if len(problems) > 1:
        more = len(problems) - 1
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ConfigError(
        message, file=source.file, line=source.line_of(path), field=format_path(path) or None
    )


def _problem(error: ErrorDetails) -> tuple[FieldPath, str]:
    loc: FieldPath = tuple(error["loc"])
    kind = error["type"]
    if kind == "value_error":
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, FieldProblem):
            return (*loc, *cause.subpath), cause.message
        return loc, str(cause) if cause is not None else error["msg"]
    if kind == "missing":
        name = str(loc[-1])
        return loc[:-1], f"missing required key '{name}'{_MISSING_HINTS.get(name, '')}"
    if kind == "extra_forbidden":  # backstop; _Model._known_keys normally words this
        return loc, f"unknown key '{loc[-1]}'"
    if kind == "too_short":  # every min_length in the schema is 1
        return loc, "must not be empty"
    if "[key]" in loc:
        at = loc.index("[key]")
        return loc[:at], f"keys here must be strings, not {describe_value(error['input'])}"
    expected = _EXPECTED.get(kind)
    if expected is not None:
        # The value itself is not echoed: it could be a pasted secret.
        return loc, f"expected {expected}, got {describe_value(error['input'])}"
    message = error["msg"]
    return loc, message[:1].lower() + message[1:]
