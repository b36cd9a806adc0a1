"""YAML text -> plain Python data plus the line of every key and list item, aliases bounded.

The text is composed to a node graph by libyaml (when PyYAML has it), then walked once. An
alias is a second reference to an already built node: the walk reuses what it built and does not
descend again, so the work is linear in the size of the *text*. What aliases add when expanded
(as pydantic will see the data) is counted on the way and refused past a limit, before anything
is validated: nested aliases ("billion laughs") would otherwise grow a few hundred bytes into
gigabytes. Lines below a reused node are not indexed again; a problem there is reported at the
line of the key that holds the alias.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from smoke.config.errors import ConfigError, FieldPath, format_path

# Nodes that expanding aliases may add to the document. A handful of anchors for shared
# settings adds a few hundred; wikis.yaml has no use for more than this.
MAX_ALIAS_NODES = 100_000
# Deeper than any sensible wikis.yaml; also keeps the recursive walk far from Python's limit.
MAX_DEPTH = 50

_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_VALUE_TAG = "tag:yaml.org,2002:value"
_BOOL_TAG = "tag:yaml.org,2002:bool"

# libyaml's parser when PyYAML was built with it: ~10x less CPU than the pure-Python one, and
# every process of a run (controller and each worker) reads wikis.yaml.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SafeLoader):  # type: ignore[valid-type,misc]
    """SafeLoader with YAML 1.2 booleans: only true/false.

    YAML 1.1 reads ``no``, ``on``, ``yes``, ``off`` as booleans, which would turn the Norwegian
    language code ``lang: no`` into False.
    """

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        """BaseResolver.resolve without what SafeLoader never has (wildcard or path resolvers).

        libyaml calls this once per node from C; a large file has hundreds of thousands.
        """
        if kind is ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return _STR_TAG
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# _Loader.resolve relies on these being absent (true of SafeLoader).
assert None not in _Loader.yaml_implicit_resolvers and not _Loader.yaml_path_resolvers


def read_yaml(text: str, file: str) -> tuple[Any, dict[FieldPath, int]]:
    """The document's data (None when empty) and the 1-based line of each key and list item."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        walk = _Walk(loader, file)
        data = None if node is None else walk.build(node, (), 0)[0]
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
    return data, walk.lines


class _Walk:
    """One pass over the node graph: data, lines, alias growth, cycles and nesting depth."""

    def __init__(self, loader: yaml.SafeLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.lines: dict[FieldPath, int] = {(): 1}
        # id(container node) -> (its data, its size with every alias expanded, in nodes)
        self.built: dict[int, tuple[Any, int]] = {}
        self.open: set[int] = set()  # containers being built: meeting one again is a cycle
        self.added = 0  # nodes the aliases met so far add when expanded

    def error(self, message: str, path: FieldPath, node: Node) -> ConfigError:
        line = self.lines.get(path, node.start_mark.line + 1)
        return ConfigError(message, file=self.file, line=line, field=format_path(path) or None)

    def build(self, node: Node, path: FieldPath, depth: int) -> tuple[Any, int]:
        if isinstance(node, ScalarNode):
            return self.scalar(node, path), 1
        key = id(node)
        done = self.built.get(key)
        if done is not None:
            self.added += done[1]
            if self.added > MAX_ALIAS_NODES:
                raise self.error(
                    f"too many aliases: expanded, they would add more than {MAX_ALIAS_NODES:,} "
                    "nodes (nested aliases multiply); write the values out or use fewer aliases",
                    path,
                    node,
                )
            return done
        if key in self.open:
            raise self.error("recursive alias: this value contains itself", path, node)
        if depth > MAX_DEPTH:
            raise self.error(f"YAML nesting is deeper than {MAX_DEPTH} levels", path, node)
        self.open.add(key)
        if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
            result = self.sequence(node, path, depth)
        elif isinstance(node, MappingNode) and node.tag == _MAP_TAG:
            result = self.mapping(node, path, depth)
        else:
            raise self.error(
                f"YAML tag {node.tag!r} is not supported here; write a plain list or mapping",
                path,
                node,
            )
        self.open.discard(key)
        self.built[key] = result
        return result

    def scalar(self, node: ScalarNode, path: FieldPath) -> Any:
        if node.tag == _STR_TAG or node.tag == _VALUE_TAG:
            return node.value
        try:
            return self.loader.construct_object(node, deep=True)
        except ValueError as exc:  # e.g. a date like 2027-13-45: the constructor's ValueError
            raise self.error(f"invalid value {node.value!r} ({exc})", path, node) from None

    def sequence(self, node: SequenceNode, path: FieldPath, depth: int) -> tuple[Any, int]:
        items: list[Any] = []
        size = 1
        lines = self.lines
        for index, item in enumerate(node.value):
            sub = (*path, index)
            if type(item) is ScalarNode and item.tag == _STR_TAG:  # most items: no call
                lines[sub] = item.start_mark.line + 1
                items.append(item.value)
                size += 1
                continue
            # A reused item starts where its anchor is; the list itself is the nearer place.
            reused = id(item) in self.built
            lines[sub] = (node if reused else item).start_mark.line + 1
            data, count = self.build(item, sub, depth + 1)
            items.append(data)
            size += count
        return items, size

    def mapping(self, node: MappingNode, path: FieldPath, depth: int) -> tuple[Any, int]:
        data: dict[Any, Any] = {}
        size = 1
        seen: dict[str, int] = {}
        merges: list[Node] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merges += value_node.value if isinstance(value_node, SequenceNode) else [value_node]
                continue
            line = key_node.start_mark.line + 1
            if not isinstance(key_node, ScalarNode):
                raise ConfigError(
                    "a key must be a plain name, not a list or mapping",
                    file=self.file,
                    line=line,
                    field=format_path(path) or None,
                )
            name = key_node.value
            sub = (*path, name)
            if name in seen:
                raise ConfigError(
                    f"duplicate key {name!r} (first at line {seen[name]})",
                    file=self.file,
                    line=line,
                    field=format_path(sub),
                )
            seen[name] = line
            self.lines[sub] = line
            if type(value_node) is ScalarNode and value_node.tag == _STR_TAG:  # no call
                value: Any = value_node.value
                count = 1
            else:
                value, count = self.build(value_node, sub, depth + 1)
            data[name if key_node.tag == _STR_TAG else self.scalar(key_node, sub)] = value
            size += 1 + count
        if merges:
            return self.merge(merges, data, size, path, depth)
        return data, size

    def merge(
        self, merges: list[Node], own: dict[Any, Any], size: int, path: FieldPath, depth: int
    ) -> tuple[Any, int]:
        """``<<: *defaults``: merged keys under the explicit ones; earlier merges win (YAML)."""
        data: dict[Any, Any] = {}
        for merged in reversed(merges):
            if not isinstance(merged, MappingNode):
                raise self.error("'<<' takes a mapping or a list of mappings", path, merged)
            # Built under a path of its own, so that its lines cannot overwrite the explicit keys'.
            value, count = self.build(merged, (*path, "<<"), depth + 1)
            data.update(value)
            size += count
            # Their keys point at the anchor's lines (one level only: no expansion).
            for key_node, _ in merged.value:
                if isinstance(key_node, ScalarNode) and key_node.tag != _MERGE_TAG:
                    self.lines.setdefault((*path, key_node.value), key_node.start_mark.line + 1)
        data.update(own)
        return data, size
