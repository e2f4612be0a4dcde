"""Charts for the admin pages: matplotlib's SVG, drawn on the server and put in the page (no script, no CDN)."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import textwrap
import threading
from typing import Sequence

from markupsafe import Markup

COLOURS = ("#1f5f99", "#d9822b", "#3c8d40", "#a23b72", "#6b6b6b")
_lock = threading.Lock()  # matplotlib's rc settings are process-wide: one chart at a time
_ids = itertools.count(1)
_SVG_START = re.compile(r"^.*?(<svg\b)", re.S)


def _svg(figure: object, label: str, latest_right: bool = False) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    svg = _SVG_START.sub(r"\1", buffer.getvalue(), count=1)
    # An accessible name for screen readers; the numbers are also in a table beside each chart.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" class="chart" ', 1)
    # A chart of days, wider than a phone, opens at its right end: the latest days (the page's script scrolls it).
    return Markup(f'<div class="chart-box"{" data-latest-right" if latest_right else ""}>{svg}</div>')


# Text in points of the chart's own size. The chart of days is shown at that size (on a phone it scrolls inside its
# box): 9 points are 12 CSS pixels, above the 11 a phone needs. The bar charts of names, a point larger, are shrunk to
# a phone's width: on a 390-pixel phone their text stays at 11 pixels or more (tests/test_admin_browser.py).
TEXT = 9
LABEL_CHARS = 22  # a bar's name wraps after this many characters


def _figure(height: float, width: float = 7.5, fit: bool = False):  # type: ignore[no-untyped-def]
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, sharp, searchable
    # Each chart's ids are its own: several charts share one page.
    matplotlib.rcParams["svg.hashsalt"] = f"chart{next(_ids)}"
    # fit: names and values laid out inside the width (not added to it), so that the chart is as wide as asked.
    figure = Figure(figsize=(width, height), dpi=96, layout="constrained" if fit else None)
    axes = figure.add_subplot()
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure, axes


def per_day(days: Sequence[dt.date], series: dict[str, Sequence[int]], label: str) -> Markup:
    """Side-by-side bars per day, one colour per series (calls, texts)."""
    with _lock:
        figure, axes = _figure(2.8)
        width = 0.8 / max(1, len(series))
        for i, (name, values) in enumerate(series.items()):
            axes.bar([n + i * width for n in range(len(days))], values, width=width, label=name, color=COLOURS[i % len(COLOURS)])
        step = max(1, len(days) // 10)
        axes.set_xticks([n + width * (len(series) - 1) / 2 for n in range(0, len(days), step)],
                        [d.strftime("%b %d") for d in days[::step]], fontsize=TEXT)
        axes.tick_params(axis="y", labelsize=TEXT)
        axes.yaxis.get_major_locator().set_params(integer=True)
        # Counts start at 0, and days with none still show a scale of whole numbers (not -0.04 to 0.04).
        axes.set_ylim(0, max([1, *(max(values, default=0) for values in series.values())]) * 1.05)
        axes.legend(frameon=False, fontsize=TEXT)
        return _svg(figure, label, latest_right=True)


def horizontal(names: Sequence[str], values: Sequence[float], label: str, unit: str = "") -> Markup:
    """One horizontal bar per name, the largest on top, each with its value."""
    with _lock:
        # As wide as a phone's screen, its text a point larger: on a phone it is shrunk to fit (its values at the bars'
        # ends in sight, not scrolled off), and its text stays 11 px or more.
        # Long names ("Answered, other topics offered (texts)") on two lines, which leaves the bars their width.
        labels = ["\n".join(textwrap.wrap(name, LABEL_CHARS, max_lines=2, placeholder="…")) or name for name in names]
        tall = any("\n" in label for label in labels)
        figure, axes = _figure(0.6 + (0.5 if tall else 0.34) * max(1, len(names)), width=4.0, fit=True)
        positions = list(range(len(names)))[::-1]
        bars = axes.barh(positions, values, color=COLOURS[0], height=0.6)
        axes.set_yticks(positions, labels, fontsize=TEXT + 1)
        axes.bar_label(bars, labels=[f"{v:g}{unit}" for v in values], padding=3, fontsize=TEXT + 1)
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        return _svg(figure, label)
