"""The decision designs tried for issue 25, each measured the same way on the held-out questions (bench/eval) and on
the development questions (bench/dev), with the shipped bank and model: only where the decisions fall changes.

    .venv/bin/python bench/designs.py

The settings were chosen by cross-validation on the bank (bench/tune_matcher.py); this table shows what each design
does for real people's questions, written and spoken.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.content import Content, load  # noqa: E402
from service.understanding import evaluation as E  # noqa: E402
from service.understanding import matcher as M  # noqa: E402
from service.understanding.evaluation import ONE_STEP, evaluate, read_questions  # noqa: E402
from service.understanding.safety import Safety  # noqa: E402

# name -> the matcher's settings that differ from the shipped ones.
DESIGNS: list[tuple[str, dict[str, object]]] = [
    ("ask when unsure (the settings of 2026-11-26)", {"CONFIDENCE": None, "ANSWER_AT": 0.6, "OFFER_AT": 9.0}),
    ("ask when unsure, shipped answer_at 0.9", {"CONFIDENCE": None, "OFFER_AT": 9.0}),
    ("answer, then offer from 0.50", {"CONFIDENCE": None, "OFFER_AT": 0.5}),
    ("offer from 0.40, a menu second asks, 3 to choose from by text (2026-12-06 a.m.)", {"CONFIDENCE": None, "OFFER_AT": 0.4, "OFFER_PAST_MENU": False, "TEXT_CHOICES": 3}),
    ("offer from 0.40, a menu second asks, 4 by text", {"CONFIDENCE": None, "OFFER_AT": 0.4, "OFFER_PAST_MENU": False}),
    ("offer from 0.40 past a menu second, 4 by text (2026-12-06 p.m.)", {"CONFIDENCE": None, "OFFER_AT": 0.4}),
    ("offer from 0.42 past a menu second, 4 by text", {"CONFIDENCE": None, "OFFER_AT": 0.42}),
    ("offer from 0.44 past a menu second, 4 by text (2026-12-06 evening)", {"CONFIDENCE": None}),
    ("offer from 0.46 past a menu second, 4 by text", {"CONFIDENCE": None, "OFFER_AT": 0.46}),
    ("offer when 95% sure the right one is first or second", {"SURE_AT": 9.0}),
    ("offer when 94% sure the right one is first or second, or from a best score of 0.60", {"CONFIDENT_AT": 0.94}),
    ("**offer when 95% sure the right one is first or second, or from a best score of 0.60 (shipped)**", {}),
    ("the same, the runner-up offered only from the \"did you mean\" bar (0.15)", {"OFFER_FLOOR": 0.15}),
    ("offer when 96% sure the right one is first or second, or from a best score of 0.60", {"CONFIDENT_AT": 0.96}),
    ("offer when 95% sure the right one is first or second, or from a best score of 0.55", {"SURE_AT": 0.55}),
    ("answer, then offer from 0.35", {"CONFIDENCE": None, "OFFER_AT": 0.35}),
    ("answer, then offer from 0.30", {"CONFIDENCE": None, "OFFER_AT": 0.3}),
    ("offer from 0.40, or 0.30 with a lead of 0.15", {"CONFIDENCE": None, "OFFER_AT": 0.4, "OFFER_FROM": 0.3, "OFFER_LEAD": 0.15}),
    ("offer from 0.40, or 0.30 with a lead of 0.20", {"CONFIDENCE": None, "OFFER_AT": 0.4, "OFFER_FROM": 0.3, "OFFER_LEAD": 0.2}),
    ("offer from 0.40, or 0.25 with a lead of 0.15", {"CONFIDENCE": None, "OFFER_AT": 0.4, "OFFER_FROM": 0.25, "OFFER_LEAD": 0.15}),
    ("offer from 0.40, words weigh 0.25", {"CONFIDENCE": None, "OFFER_AT": 0.4, "LEXICAL_WEIGHT": 0.25}),
    ("offer from 0.40, words weigh 0.45", {"CONFIDENCE": None, "OFFER_AT": 0.4, "LEXICAL_WEIGHT": 0.45}),
]


@contextmanager
def settings(changes: dict[str, object]) -> Iterator[None]:
    """The matcher's (or the evaluation's: how many choices a texter reads) module settings changed for a while."""
    modules = {name: E if name == "TEXT_CHOICES" else M for name in changes}
    saved = {name: getattr(modules[name], name) for name in changes}
    for name, value in changes.items():
        setattr(modules[name], name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(modules[name], name, value)


def with_answers(content: Content) -> Content:
    """The content with each topic's own text answer, sentence by sentence, added to its examples."""
    languages = {}
    for code, lang in content.languages.items():
        targets = {key: dataclasses.replace(t, examples=t.examples + tuple(
                       s for s in re.split(r"(?<=[.?!])\s+", t.text) if len(s.split()) >= 3))
                   for key, t in lang.targets.items()}
        languages[code] = dataclasses.replace(lang, targets=targets)
    return dataclasses.replace(content, languages=languages)


def main() -> None:
    """Print one row per design and question set: right first, within one step and wrong, per language and spoken."""
    content = load(ROOT / "prompts")
    matcher = M.Matcher.for_content(content, cache_dir=ROOT / "instance")
    safety = Safety(content)
    sets = {"held-out": read_questions(ROOT / "bench" / "eval" / "questions.csv"),
            "dev": read_questions(ROOT / "bench" / "dev" / "questions.csv")}
    print("first / one step / wrong, per language; held-out also spoken")
    print(f"{'design':64s} {'held-out en':>20s} {'held-out es':>20s} {'spoken en':>20s} {'spoken es':>20s} "
          f"{'dev en':>20s} {'dev es':>20s}")
    designs = [(name, changes, matcher) for name, changes in DESIGNS]
    # Retrieval against each topic's own answer as well as its examples (a new meaning layer, trained here).
    if "--answers" in sys.argv:
        designs.append(("offer from the shipped bar, answers learnt as examples", {}, M.Matcher(with_answers(content))))
    for name, changes, matcher in designs:
        with settings(changes):
            cells = []
            for set_name, spoken in (("held-out", False), ("held-out", True), ("dev", False)):
                figures = evaluate(content, matcher, safety, sets[set_name], spoken=spoken)
                cells += [f"{f.share('direct'):5.1%} {f.share(*ONE_STEP):5.1%} {f.share('wrong'):4.1%}"
                          for f in figures.values()]
        held, spoken_cells, dev = cells[0:2], cells[2:4], cells[4:6]
        print(f"{name:64s} " + " ".join(f"{c:>20s}" for c in held + spoken_cells + dev))


if __name__ == "__main__":
    main()
