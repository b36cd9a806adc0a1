"""wikis.yaml -> SmokeConfig, with every problem reported as file:line: field: message.

YAML is composed to nodes first so the line of every key and list item is known; pydantic's
error locations are then looked up in that table. This module is the one boundary where YAML
and pydantic exceptions are translated into ConfigError.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from smoke.config.errors import (
    ConfigError,
    ConfigSource,
    FieldPath,
    FieldProblem,
    format_path,
)
from smoke.config.schema import SmokeConfig

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG = "tag:yaml.org,2002:bool"


# libyaml's parser when PyYAML was built with it: ~10x less CPU than the pure-Python one, and
# every process of a run (controller and each worker) reads wikis.yaml.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2 booleans: only true/false.

    YAML 1.1 reads ``no``, ``on``, ``yes``, ``off`` as booleans, which would turn the Norwegian
    language code ``lang: no`` into False.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)

# Hints added to "missing required key" for the keys people most often forget.
_MISSING_HINTS = {
    "ores": " (list the wiki's ORES models, or [] when it has none)",
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
    data, lines = _parse_yaml(text, file)
    if data is None:
        raise ConfigError("the file is empty; it needs at least a 'targets:' mapping", file=file)
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


def _parse_yaml(text: str, file: str) -> tuple[Any, dict[FieldPath, int]]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        lines: dict[FieldPath, int] = {(): 1}
        if node is not None:
            _index_lines(node, (), lines, file)
        # construct after indexing: constructing flattens merge keys ("<<") in place.
        data = None if node is None else loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable YAML"
        raise ConfigError(
            f"invalid YAML: {problem}", file=file, line=None if mark is None else mark.line + 1
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", file=file) from None
    finally:
        loader.dispose()
    return data, lines


def _index_lines(
    node: Node, path: FieldPath, lines: dict[FieldPath, int], file: str, depth: int = 0
) -> None:
    """Record the 1-based line of each mapping key and sequence item under ``path``."""
    if depth > 50:  # recursive aliases: the structure is nonsense for us anyway
        raise ConfigError("YAML nesting is too deep (recursive alias?)", file=file)
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _index_lines(item, (*path, index), lines, file, depth + 1)
    elif isinstance(node, MappingNode):
        merged: list[Node] = []
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged += value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                continue
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise ConfigError(
                    f"duplicate key {key!r} (first at line {seen[key]})",
                    file=file,
                    line=line,
                    field=format_path((*path, key)),
                )
            seen[key] = line
            lines[(*path, key)] = line
            _index_lines(value_node, (*path, key), lines, file, depth + 1)
        # "<<: *defaults": merged keys point at the anchor; explicit keys win, as in YAML.
        for mapping in merged:
            sub: dict[FieldPath, int] = {}
            _index_lines(mapping, path, sub, file, depth + 1)
            for sub_path, line in sub.items():
                lines.setdefault(sub_path, line)


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
        return loc[:at], f"keys here must be strings, not {_describe(error['input'])}"
    expected = _EXPECTED.get(kind)
    if expected is not None:
        # The value itself is not echoed: it could be a pasted secret.
        return loc, f"expected {expected}, got {_describe(error['input'])}"
    message = error["msg"]
    return loc, message[:1].lower() + message[1:]


def _describe(value: object) -> str:
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
