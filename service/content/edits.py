"""Changes to single fields of the prompt files, written into the files' text where the field's value stands, and
nowhere else: every other line, comment and space stays as it was (so `git diff` shows only what was edited).

The admin pages publish edits; the line applies them to the deployed files' text and reads the result like any other
prompt files. A value is always written as a YAML string (or list of strings), never as YAML someone typed."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Union

import yaml

from .model import OPTIONAL_PHRASES
from .yamlsource import YAML_LOADER

Value = Union[str, tuple[str, ...]]

# What the admin pages may change, per kind of place: a topic (or action), a menu, or a fixed phrase.
FIELDS: dict[str, tuple[str, ...]] = {
    "topic": ("title", "keyword", "phrases", "spoken", "text", "examples", "sources", "reviewed"),
    "menu": ("title", "intro", "keyword", "phrases", "examples"),
    "phrase": ("value",),
}
LISTS = frozenset({"phrases", "examples", "sources"})
# Long answers are written as folded blocks ("spoken: >-" then one sentence a line), as the files write them.
BLOCKS = frozenset({"spoken", "text"})
WIDTH = 110
_SENTENCE = re.compile(r"(?<=[.?!])\s+(?=\S)")
_PLAIN_START = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`]")


@dataclass(frozen=True)
class Edit:
    """One field of one place, in one language's file, and its new value (was: its value in the files when the
    edit was made; a deploy that changes the file's value since then is a conflict the admin resolves)."""

    lang: str
    kind: str  # "topic" (topics and actions), "menu" or "phrase"
    ident: str
    field: str
    value: Value | None  # None only in a publish that takes an edit away: the field as the files have it
    was: Value | None = None

    @property
    def file(self) -> str:
        """The prompt file the field is in."""
        return f"{self.lang}.yaml"

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Which field this is: language, kind, place and field name."""
        return (self.lang, self.kind, self.ident, self.field)


def plain(value: Value) -> Value:
    """A value as the line reads it: text with its spaces collapsed; a list without empty items."""
    if isinstance(value, str):
        return " ".join(value.split())
    return tuple(" ".join(item.split()) for item in value if item.strip())


def fingerprint(value: Value | None) -> str:
    """A short fingerprint of a field's value as the line reads it (a form keeps it to spot a colleague's change)."""
    # Absent, empty text and an empty list are one value to the line (and to a form, which shows each as empty).
    shown = plain(value) if value else ""
    return hashlib.sha256(json.dumps(shown or "", ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Outcome:
    """What became of an edit on the files' text: "applied"; "absorbed" (the file already says the same); "conflict"
    (the file's value changed since the edit was made: the edit is applied, and the admin shown both); "missing" (the
    place is no longer in the file)."""

    edit: Edit
    status: str
    file_value: Value | None = None


def current(text: str, edit: Edit) -> Value | None:
    """The field's value in a file's text, as the line reads it (None: no such place or field)."""
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return None
    found = _locate(root, edit)
    if found is None or found[1] is None:
        return None
    return _value_of(found[1])


def apply(texts: dict[str, str], edits: list[Edit]) -> tuple[dict[str, str], list[Outcome]]:
    """The files' texts with the edits written in, and what became of each edit."""
    out = dict(texts)
    outcomes: list[Outcome] = []
    by_file: dict[str, list[Edit]] = {}
    for edit in edits:
        if edit.value is not None:
            by_file.setdefault(edit.file, []).append(edit)
    for name, mine in by_file.items():
        if name not in out:
            outcomes.extend(Outcome(e, "missing") for e in mine)
            continue
        out[name], found = _apply_file(out[name], mine)
        outcomes.extend(found)
    return out, outcomes


def _apply_file(text: str, edits: list[Edit]) -> tuple[str, list[Outcome]]:
    try:
        root = yaml.compose(text, Loader=YAML_LOADER)
    except yaml.YAMLError:
        return text, [Outcome(e, "missing") for e in edits]
    splices: list[tuple[int, int, str]] = []
    outcomes = []
    for edit in edits:
        found = _locate(root, edit)
        if found is None:
            outcomes.append(Outcome(edit, "missing"))
            continue
        mapping, value_node, key_node = found
        assert edit.value is not None  # apply() passes on only edits with a value
        now = _value_of(value_node) if value_node is not None else None
        new = plain(edit.value)
        if now == new:
            outcomes.append(Outcome(edit, "absorbed", now))
            continue
        status = "applied" if edit.was is None or now is None or now == plain(edit.was) else "conflict"
        outcomes.append(Outcome(edit, status, now))
        if value_node is None:
            splices.append(_insertion(text, mapping, edit))
        else:
            start, end = value_node.start_mark.index, _content_end(text, value_node)
            splices.append((start, end, render(edit.field, edit.value, value_node, key_node, text)))
    for start, end, new_text in sorted(splices, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text, outcomes


def _locate(root: yaml.Node | None, edit: Edit) -> tuple[yaml.MappingNode, yaml.Node | None, yaml.Node] | None:
    """The mapping that holds the field, the field's value node (None when absent), and its key node."""
    section = {"topic": "topics", "menu": "menus", "phrase": "phrases"}[edit.kind]
    top = _child(root, section)
    if top is None:
        return None
    if edit.kind == "phrase":
        entry = _entry(top, edit.ident)
        if entry:
            return top, entry[1], entry[0]
        # An optional phrase the file leaves out (added from the admin pages): written after the last phrase. Any other
        # phrase missing is one a deploy renamed or removed: its edit is missing, never written back in.
        return (top, None, top) if edit.ident in OPTIONAL_PHRASES and isinstance(top, yaml.MappingNode) and top.value else None
    place = _child(top, edit.ident)
    if not isinstance(place, yaml.MappingNode):
        return None
    entry = _entry(place, edit.field)
    return (place, entry[1], entry[0]) if entry else (place, None, place)


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    entry = _entry(node, key)
    return entry[1] if entry else None


def _entry(node: yaml.Node | None, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if str(key_node.value) == key:
            return key_node, value_node
    return None


def _value_of(node: yaml.Node) -> Value:
    if isinstance(node, yaml.SequenceNode):
        return plain(tuple(str(item.value) for item in node.value if isinstance(item, yaml.ScalarNode)))
    return plain(str(node.value)) if isinstance(node, yaml.ScalarNode) else ""


def _content_end(text: str, node: yaml.Node) -> int:
    """Where a value's own text ends: a block's end mark lies past its trailing line breaks and indentation."""
    start, end = node.start_mark.index, node.end_mark.index
    return start + len(text[start:end].rstrip())


def render(field: str, value: Value, node: yaml.Node | None, key_node: yaml.Node, text: str) -> str:
    """A field's new value as YAML text, in the style the file uses there."""
    indent = _child_indent(key_node, node, text)
    if isinstance(value, tuple) or field in LISTS:
        items = list(plain(value if isinstance(value, tuple) else (value,)))
        if node is not None and isinstance(node, yaml.SequenceNode) and not node.flow_style:
            item_indent = " " * node.value[0].start_mark.column if node.value else indent + "  "
            return "\n".join(f"{item_indent[:-2]}- {_quoted(i)}" for i in items).lstrip()
        return "[" + ", ".join(_flow_item(i) for i in items) + "]"
    value = plain(value)
    assert isinstance(value, str)
    # The style the file uses there: a one-line value stays on its line (a comment after it stays a comment); a new
    # answer is a folded block, as the files write answers.
    block = node.style in (">", "|") if isinstance(node, yaml.ScalarNode) else field in BLOCKS
    if block:
        return ">-\n" + "\n".join(indent + line for line in _lines(value))
    if field == "reviewed" and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return value
    return _inline(value)


def _child_indent(key_node: yaml.Node, node: yaml.Node | None, text: str) -> str:
    """The indentation a block value's lines take under their key."""
    if node is not None and isinstance(node, yaml.ScalarNode) and node.style in (">", "|"):
        rest = text[node.start_mark.index:]
        second = rest.split("\n", 2)
        if len(second) > 1 and second[1].strip():
            return second[1][: len(second[1]) - len(second[1].lstrip())]
    return " " * (key_node.start_mark.column + 2)


def _lines(value: str) -> list[str]:
    """A text as a folded block's lines: one sentence a line, long ones wrapped at spaces."""
    out: list[str] = []
    for sentence in _SENTENCE.split(value):
        line = ""
        for word in sentence.split():
            if line and len(line) + 1 + len(word) > WIDTH:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        if line:
            out.append(line)
    return out or [""]


def _inline(value: str) -> str:
    """A one-line value: plain when YAML reads it back as the same text, else double-quoted."""
    if (value and value == value.strip() and _PLAIN_START.match(value) and ": " not in value and " #" not in value
            and not value.endswith(":") and "\n" not in value):
        try:
            if yaml.load(value, Loader=YAML_LOADER) == value:
                return value
        except yaml.YAMLError:
            pass
    return _quoted(value)


def _flow_item(value: str) -> str:
    """An item of an inline list ([a, b]): inside the brackets a comma, bracket or brace is structure, so an item
    with one is always quoted."""
    return _quoted(value) if any(c in value for c in ",[]{}") else _inline(value)


def _quoted(value: str) -> str:
    # JSON's double-quoted strings are YAML's: every character escaped as YAML reads it, nothing parsed as structure.
    return json.dumps(value, ensure_ascii=False)


def _insertion(text: str, mapping: yaml.MappingNode, edit: Edit) -> tuple[int, int, str]:
    """A new "field: value" line after the mapping's last field, at its fields' indentation."""
    key_node, value_node = mapping.value[-1]
    assert edit.value is not None  # apply() passes on only edits with a value
    end = _content_end(text, value_node)
    # After a comment on the last field's line, which stays with that field.
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    if text[end:line_end].strip().startswith("#"):
        end = line_end
    indent = " " * key_node.start_mark.column
    rendered = render(edit.field, edit.value, None, key_node, text)
    # A phrase's key is its name (its one field is its value); a place's, the field's.
    key = edit.ident if edit.kind == "phrase" else edit.field
    # With no node to follow, a list is written inline ([a, b]) and an answer as a folded block: both after "key: ".
    return end, end, f"\n{indent}{key}: {rendered}"
