"""Read YAML keeping line numbers, so every content message can say file:line.

PyYAML is imported when a text is first parsed: a command whose content comes from the
model cache (content/modelcache.py) never loads it (0.02 s of CPU)."""

from __future__ import annotations

import functools
from typing import Any


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and each key's line (1-based)."""

    line: int = 0
    key_lines: dict[str, int]
    text_lines: dict[str, int]  # a literal block (``key: |``): the line its text starts on

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)

    def text_line(self, key: str) -> int:
        """The line the first line of ``key``'s text is on (a literal block starts on the
        line after its key), so that line n of the text is on text_line + n - 1."""
        return getattr(self, "text_lines", {}).get(key, self.line_of(key))


class LineList(list[Any]):
    line: int = 0


def _construct_mapping(loader: Any, node: Any) -> LineDict:
    import yaml

    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines, out.text_lines = {}, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key = str(key)
        if key in out:
            # A repeated key silently overwrites in plain YAML; we keep the first and
            # let the validator report it.
            out.key_lines.setdefault("__duplicate_keys__", key_node.start_mark.line + 1)
            out.setdefault("__duplicates__", []).append((key, key_node.start_mark.line + 1))
            continue
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode) and value_node.style == "|":
            out.text_lines[key] = value_node.start_mark.line + 2
    return out


def _construct_sequence(loader: Any, node: Any) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


@functools.cache
def _loader() -> Any:
    """PyYAML's safe loader, its mappings and sequences made LineDict and LineList."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
    return Loader


def load(text: str) -> Any:
    """Parse YAML text; mappings become LineDict, sequences LineList (a malformed text
    raises yaml.YAMLError)."""
    import yaml

    return yaml.load(text, Loader=_loader())  # noqa: S506 - SafeLoader subclass
