"""HTML forms as a browser submits them: inputs, text areas and ticked boxes, for tests that fill in the admin pages."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any

from werkzeug.datastructures import MultiDict


class Forms(HTMLParser):
    """Every form of a page: its action, method, the fields a browser would send (name -> list of values) and its
    submit buttons (name, value, the label a person reads)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._area: str | None = None
        self._buffer: list[str] = []
        self._button: list[str] | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get"), "fields": {}, "buttons": []})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button"):
                self.forms[-1]["buttons"].append((a["name"], a.get("value", ""), a.get("value", "")))
                return
            self.forms[-1]["fields"].setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self._area, self._buffer = a["name"], []
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._button = [a.get("name", ""), a.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._area is not None:
            self._buffer.append(data)
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None and self.forms:
            name, value, label = self._button
            self.forms[-1]["buttons"].append((name, value, " ".join(label.split())))
            self._button = None
        if tag == "textarea" and self._area is not None and self.forms:
            text = "".join(self._buffer)
            # A browser drops the one line break that opens a text area's content.
            self.forms[-1]["fields"].setdefault(self._area, []).append(text[1:] if text.startswith("\n") else text)
            self._area = None

    def with_field(self, name: str) -> dict[str, Any]:
        """The first form that has a field of this name."""
        return next(f for f in self.forms if name in f["fields"])


def values(form: dict[str, Any], **changes: str) -> MultiDict:
    """A form's fields as a browser posts them, with some changed."""
    out: MultiDict = MultiDict()
    for name, found in form["fields"].items():
        if name in changes:
            out.add(name, changes[name])
        else:
            for value in found:
                out.add(name, value)
    for name, value in changes.items():  # a button pressed, or a field the page did not have
        if name not in form["fields"]:
            out.add(name, value)
    return out


def unescape(text: str) -> str:
    """HTML entities decoded."""
    return html.unescape(text)
