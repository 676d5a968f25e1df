"""Safe YAML reading that keeps every node's position so later errors can point at it.

PyYAML alone loses positions once a document becomes dicts and lists, silently keeps the last of
two equal mapping keys, and expands aliases without limit once the data is walked. Here a file is
composed into nodes first, checked (size, encoding, duplicate keys, alias expansion), and only
then constructed; the node tree is kept beside the data so a validation error's location
(``("groups", 3, "tier")``) can be turned back into ``path:line:col``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import messages as msg
from bot.config import mistakes
from bot.config.problems import ConfigError, Problem

try:  # libyaml is an order of magnitude faster on large catalogs and keeps the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_ScalarNode = yaml.ScalarNode

MAX_FILE_BYTES = 8 * 1024 * 1024
# A generous bound on nodes after expanding aliases: the largest real home (3,000 groups, 10,000
# content items) stays far below it, a "billion laughs" file exceeds it after a few levels.
MAX_EXPANDED_NODES = 2_000_000

Location = Sequence[int | str]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed file: its plain data and the node tree that remembers where each value was."""

    path: Path
    data: Any
    root: yaml.Node | None
    lines: Sequence[str] = ()  # the text, for naming a character on a line

    def problem(self, loc: Location, message: str, *, at_key: bool = False) -> Problem:
        line, column = self.position(loc, at_key=at_key)
        return Problem(self.path, line, column, message)

    def position(self, loc: Location, *, at_key: bool = False) -> tuple[int, int]:
        """1-based line and column of the value at ``loc`` (or of its key, with ``at_key``).

        Parts of ``loc`` that are not in the file are skipped: pydantic adds union tags, and a
        missing key should point at the mapping that ought to hold it.
        """
        if self.root is None:
            return 1, 1
        node, mark = self.root, self.root.start_mark
        for i, part in enumerate(loc):
            child = _child(node, part)
            if child is None:
                continue
            key_node, node = child
            last = i == len(loc) - 1
            mark = key_node.start_mark if (last and at_key and key_node) else node.start_mark
        return mark.line + 1, mark.column + 1

    def present(self, loc: Location) -> tuple[int | str, ...]:
        """The parts of ``loc`` that are in the file (pydantic adds union members' tags)."""
        node, found = self.root, []
        for part in loc:
            child = _child(node, part) if node is not None else None
            if child is not None:
                node = child[1]
                found.append(part)
        return tuple(found)


def _child(node: yaml.Node, part: int | str) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node, value_node
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) \
            and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def load_yaml(path: Path) -> YamlDocument:
    """Read one YAML file; raise :class:`ConfigError` with positions for anything unsafe."""
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise ConfigError([Problem(path, 1, 1, msg.FILE_TOO_LARGE.format(limit=MAX_FILE_BYTES))])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError([Problem(path, line, column, msg.NOT_UTF8)]) from None
    if text.startswith("\ufeff"):
        text = text[1:]

    lines = text.splitlines()
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return YamlDocument(path, None, None, lines)
        _check_nodes(path, root)
        data = _construct(path, loader, root)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError([mistakes.yaml_problem(path, exc, lines)]) from None
    except yaml.YAMLError:
        raise ConfigError([Problem(path, 1, 1, msg.YAML_MISTAKE_OTHER)]) from None
    finally:
        loader.dispose()
    return YamlDocument(path, data, root, lines)


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{t}" for t in ("str", "seq", "map"))


def _construct(path: Path, loader: Any, root: yaml.Node) -> Any:
    """Build the data from checked nodes.

    Plain strings, lists and mappings (nearly every node of a catalog) are built directly;
    anything else (numbers, booleans, dates, merge keys, explicit tags) goes through PyYAML's
    own constructor, so the meaning of every value is exactly PyYAML's. The generic
    constructor's generator machinery was a quarter of the load time of a large home.
    A scalar PyYAML cannot build (an unquoted ``2026-13-01``) is a problem at its place.
    """
    shared: dict[int, Any] = {}  # an aliased node is built once and shared, as PyYAML does
    problems: list[Problem] = []

    def build(node: yaml.Node) -> Any:
        kind, tag = type(node), node.tag
        if kind is _ScalarNode and tag == _STR:
            return node.value
        built = shared.get(id(node))
        if built is not None:
            return built
        if kind is yaml.SequenceNode and tag == _SEQ:
            built = [build(item) for item in node.value]
        elif kind is yaml.MappingNode and tag == _MAP and all(
                type(k) is _ScalarNode and k.tag == _STR and k.value != "<<"
                for k, _ in node.value):
            built = {k.value: build(v) for k, v in node.value}
        else:
            try:
                built = loader.construct_object(node, deep=True)
            except (ValueError, OverflowError):  # datetime(2026, 13, 1), maybe deep inside
                _forget_failure(loader)
                problems.append(mistakes.scalar_problem(path, _unbuildable(loader, node)))
                built = None
        shared[id(node)] = built
        return built

    data = build(root)
    if problems:
        raise ConfigError(problems)
    return data


def _unbuildable(loader: Any, node: yaml.Node) -> yaml.Node:
    """The scalar under ``node`` that PyYAML's constructor cannot build (``node`` itself when
    none is found on its own)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            try:
                loader.construct_object(current)
            except (ValueError, OverflowError):
                _forget_failure(loader)
                return current
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
        elif isinstance(current, yaml.MappingNode):
            stack.extend(n for pair in reversed(current.value) for n in reversed(pair))
    return node


def _forget_failure(loader: Any) -> None:
    """A constructor that raised leaves its nodes marked as being built; PyYAML would then
    call the next attempt at them recursive."""
    loader.recursive_objects.clear()
    loader.state_generators = []
    loader.deep_construct = False


def _check_nodes(path: Path, root: yaml.Node) -> None:
    """Reject duplicate keys and alias bombs before anything is constructed."""
    problems: list[Problem] = []
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def expanded(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:  # a recursive alias expands forever
            raise _TooLarge(node)
        in_progress.add(key)
        total = 1  # scalars are counted inline: they are most nodes, and a call each is slow
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, yaml.Node] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value != "<<":
                    if key_node.value in seen:
                        m = key_node.start_mark
                        problems.append(
                            Problem(path, m.line + 1, m.column + 1,
                                    msg.DUPLICATE_KEY.format(key=key_node.value,
                                                             first=seen[key_node.value]
                                                             .start_mark.line + 1))
                        )
                    else:
                        seen[key_node.value] = key_node
                total += (1 if type(key_node) is _ScalarNode else expanded(key_node)) + (
                    1 if type(value_node) is _ScalarNode else expanded(value_node))
                if total > MAX_EXPANDED_NODES:
                    raise _TooLarge(node)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += 1 if type(item) is _ScalarNode else expanded(item)
                if total > MAX_EXPANDED_NODES:
                    raise _TooLarge(node)
        in_progress.discard(key)
        sizes[key] = total
        return total

    try:
        expanded(root)
    except _TooLarge as too_large:
        m = too_large.node.start_mark
        problems.append(Problem(path, m.line + 1, m.column + 1,
                                msg.ALIAS_BOMB.format(limit=MAX_EXPANDED_NODES)))
    except RecursionError:
        m = root.start_mark
        problems.append(Problem(path, m.line + 1, m.column + 1, msg.TOO_DEEP))
    if problems:
        raise ConfigError(problems)


class _TooLarge(Exception):
    def __init__(self, node: yaml.Node) -> None:
        self.node = node
