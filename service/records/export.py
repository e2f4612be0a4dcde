"""Records as CSV: the report's rows (what `flask report --csv` prints) and the admin overview's tables, with cells a
spreadsheet would run as formulas made plain."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

from .store import NO_CALLBACK, Report

REPORT_FIELDS = ["kind", "topic", "channel", "lang", "words", "count", "created", "duration", "callback", "recording_url"]
# A cell that starts with one of these is a formula to Excel and LibreOffice: words people texted must stay words.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_rows(report: Report) -> list[dict[str, Any]]:
    """The report as rows: topics reached, questions not understood, messages left."""
    return ([{"kind": "topic", "topic": t, "channel": c, "lang": lang, "count": n} for t, c, lang, n in report.topics]
            + [{"kind": "not understood", "words": w, "channel": c, "lang": lang, "count": n} for w, c, lang, n in report.unmatched]
            + [{"kind": "message", "created": str(m["created"]), "duration": m["duration"], "callback": "no (the caller said not to call back)" if m.get("callback") == NO_CALLBACK else m.get("callback") or "",
                "recording_url": m["recording_url"]} for m in report.messages])


def plain(value: Any) -> Any:
    """A cell's value, with a leading formula character quoted so a spreadsheet shows it as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(fields: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    """CSV text with a header row (fields missing from a row are empty)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fields), extrasaction="ignore")
    writer.writeheader()
    writer.writerows({k: plain(v) for k, v in row.items()} for row in rows)
    return out.getvalue()
