"""Reading YAML while remembering the line each value came from, for error reports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


# libyaml's parser when PyYAML was built with it (its wheels are): about ten times faster, same line marks.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in the prompt files: where it is and what was expected."""

    file: str
    line: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class Node:
    """A YAML value with its file and line."""

    __slots__ = ("value", "file", "line")

    def __init__(self, value: Any, file: str, line: int) -> None:
        self.value = value
        self.file = file
        self.line = line

    def __repr__(self) -> str:
        return f"Node({self.value!r}, {self.file}:{self.line})"


def _convert(node: yaml.Node, file: str, problems: list[Problem]) -> Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in mapping:
                problems.append(Problem(file, key_node.start_mark.line + 1, f"'{key}' appears twice in the same place (first on line {mapping[key].line}); expected each name once"))
            converted = _convert(value_node, file, problems)
            # The key's own line is where an admin looks for a value (block text starts below it).
            converted.line = key_node.start_mark.line + 1
            mapping[key] = converted
        return Node(mapping, file, line)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(item, file, problems) for item in node.value], file, line)
    value = node.value
    plain = not getattr(node, "style", None)  # libyaml reports plain scalars with style "", PyYAML with None
    if node.tag == "tag:yaml.org,2002:null" or (plain and node.value in ("", "~", "null", "Null", "NULL")):
        return Node(None, file, line)
    if plain and node.tag == "tag:yaml.org,2002:int":
        return Node(int(value), file, line)
    return Node(str(value), file, line)


def load_file(path: Path, display: str, text: str | None = None) -> tuple[Node | None, list[Problem]]:
    """Read one YAML file into Nodes (text: its content as the admin pages' edits made it, instead of the disk's), or
    report why it cannot be read."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            return None, [Problem(display, 1, f"the file is not UTF-8 text ({exc.reason}); save it as UTF-8")]
        except OSError as exc:
            return None, [Problem(display, 1, f"cannot read the file: {exc.strerror}")]
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or "not valid YAML"
        if "\t" in what or "tab" in what:
            return None, [Problem(display, line, "a tab character: use spaces (two per level of indentation), never tabs")]
        hint = f" ({exc.context})" if exc.context else ""
        return None, [Problem(display, line, f"YAML syntax: {what}{hint}; check the indentation and quotes on this line or the one before")]
    except yaml.YAMLError as exc:
        return None, [Problem(display, 1, f"YAML syntax: {exc}")]
    if root is None:
        return None, [Problem(display, 1, "the file is empty; expected a mapping of settings")]
    problems: list[Problem] = []
    return _convert(root, display, problems), problems
