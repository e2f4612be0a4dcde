"""The matcher measured on questions real people asked (bench/eval/questions.csv), held apart from the bank."""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from ..content import Content, normalize
from ..content.replies import TEXT_CHOICES, offers_that_fit
from .matcher import MAX_CHOICES, Decision, Matcher, confidence
from .safety import Safety
from .words import names_place

SAFETY_LABELS = ("crisis", "emergency")
# What became of a question about a topic: answered right at once ("direct"; with other topics offered or not);
# answered, and the right topic offered one key or reply away ("offered"); asked "did you mean" with the right one
# among the choices ("after_ask"); a wrong answer with the right one not offered ("wrong"); a "did you mean" without
# it ("ask_missed"); or nothing close ("no_match").
OUTCOMES = ("direct", "offered", "after_ask", "wrong", "ask_missed", "no_match")
ONE_STEP = ("direct", "offered", "after_ask")
NOTHING = "none"
# A held-out question this close to a bank example is left out: the set must measure what the bank has not seen.
NEAR_COPY = 90
# The confidence's bins in the report (lower edges).
CALIBRATION_BINS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.98)


@dataclass(frozen=True)
class Question:
    """One labelled question and where it was asked."""

    lang: str
    text: str
    label: str
    source: str


@dataclass
class Figures:
    """How one language's held-out questions fared."""

    outcomes: Counter[str] = field(default_factory=Counter)
    by_topic: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    confused: Counter[tuple[str, str]] = field(default_factory=Counter)
    left_out: int = 0

    # How the best score of each answered question fared: score bin (0.0, 0.1...) -> [right, answered].
    reliability: dict[float, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    # How the confidence of every topic question fared: bin's lower edge -> [right one first or second, questions].
    calibration: dict[float, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def asked(self) -> int:
        """Questions about a topic (not crisis, emergency or nothing)."""
        return sum(self.outcomes[k] for k in OUTCOMES)

    def share(self, *kinds: str) -> float:
        """The share of topic questions with these outcomes."""
        return sum(self.outcomes[k] for k in kinds) / max(1, self.asked)


def read_questions(path: Path) -> list[Question]:
    """The labelled questions of a CSV file (lang, question, topic, source)."""
    with path.open(encoding="utf-8", newline="") as f:
        return [Question(r["lang"].strip(), r["question"].strip(), r["topic"].strip(), r["source"].strip())
                for r in csv.DictReader(f) if r.get("question", "").strip()]


def evaluate(content: Content, matcher: Matcher, safety: Safety, questions: list[Question], spoken: bool = False) -> dict[str, Figures]:
    """Every question decided as the line would decide it, counted by outcome, per language (spoken: as a caller's
    words reach the line, through Twilio's recognizer, which drops punctuation and capitals, and the line's repair of
    its mishearings)."""
    from .speech import repair

    figures: dict[str, Figures] = {code: Figures() for code in content.languages}
    bank = {code: [normalize(e) for t in lang.targets.values() for e in t.examples] for code, lang in content.languages.items()}
    for q in questions:
        if q.lang not in figures:
            continue
        fig = figures[q.lang]
        if q.label in SAFETY_LABELS:
            caught = safety.is_crisis(q.text) if q.label == "crisis" else safety.is_emergency(q.text) or safety.is_crisis(q.text)
            fig.outcomes[f"{q.label}_caught" if caught else f"{q.label}_missed"] += 1
            continue
        if bank[q.lang] and process.extractOne(normalize(q.text), bank[q.lang], scorer=fuzz.ratio, score_cutoff=NEAR_COPY):
            fig.left_out += 1
            continue
        if safety.is_crisis(q.text) or safety.is_emergency(q.text):
            # A question about a topic (or about nothing) that gets the crisis or emergency message first: a false
            # alarm, or a question about 988 or 911 itself.
            fig.outcomes["alarmed"] += 1
        # As each channel offers them: a texter reads four choices, a caller hears three.
        decision = matcher.decide(repair(q.text, q.lang), q.lang, MAX_CHOICES).for_a_call() if spoken else matcher.decide(q.text, q.lang, TEXT_CHOICES)
        if (spoken and decision.kind in ("answer", "offer") and decision.target.kind == "action"
                and not names_place(decision.target, q.text, content.languages[q.lang])):
            # On a call, an action (a recording, the offer of a person) starts only when asked for in so many words;
            # a guess at it is a "did you mean" of the same choices, as the call flow asks it.
            decision = Decision("ask", decision.choices, decision.ranking)
        ids = [t.id for t in decision.choices]
        if decision.kind == "offer" and (decision.target.kind == "menu" or spoken and decision.target.kind != "topic"):
            # Other topics are offered only after an answer: never after a menu's list, nor on a call after an action
            # asked for by name (its recording or its offer of a person follows instead).
            ids = ids[:1]
        elif decision.kind == "offer" and not spoken:
            # A texter reads a second topic offered only where it fits the answer's three segments: as a first text,
            # with the line's notice (the tightest).
            lang = content.languages[q.lang]
            fitting = offers_that_fit(lang, decision.target, decision.choices[1:], lang.phrases.get("sms_welcome", ""))
            ids = ids[: 1 + len(fitting)]
        if q.label != NOTHING and decision.ranking:
            sure = confidence(decision.ranking)
            cell = fig.calibration[max(edge for edge in CALIBRATION_BINS if sure >= edge)]
            cell[0] += q.label in [s.target.id for s in decision.ranking[:2]]
            cell[1] += 1
        if q.label == NOTHING:
            fig.outcomes[f"nothing_{decision.kind}"] += 1
            continue
        if decision.kind in ("answer", "offer"):
            outcome = "direct" if ids[0] == q.label else "offered" if q.label in ids else "wrong"
            cell = fig.reliability[min(0.9, int(decision.ranking[0].score * 10) / 10)]
            cell[0] += ids[0] == q.label
            cell[1] += 1
        elif decision.kind == "ask":
            outcome = "after_ask" if q.label in ids else "ask_missed"
        else:
            outcome = "no_match"
            fig.outcomes["no_match_offered" if q.label in ids else "no_match_not_offered"] += 1
        fig.outcomes[outcome] += 1
        fig.by_topic[q.label][outcome] += 1
        if outcome != "direct" and ids and ids[0] != q.label:
            fig.confused[(q.label, ids[0])] += 1
    return figures


def report(figures: dict[str, Figures], source: str, total: int, spoken: dict[str, Figures] | None = None) -> str:
    """The evaluation as an admin or a developer reads it."""
    lines = [f"Held-out questions: {source} ({total} in all)", ""]
    lines.append("lang     questions  right first  answer+offer right  after 'did you mean'  right within one step  wrong  "
                 "'did you mean' missed  no match  left out (in the bank)")
    rows = [(code, fig) for code, fig in figures.items()] + [(f"{code} spoken", fig) for code, fig in (spoken or {}).items()]
    for code, fig in rows:
        lines.append(f"{code:10s} {fig.asked:7d}  {fig.share('direct'):11.1%}  {fig.share('offered'):18.1%}  "
                     f"{fig.share('after_ask'):20.1%}  {fig.share(*ONE_STEP):21.1%}  {fig.share('wrong'):5.1%}  "
                     f"{fig.share('ask_missed'):21.1%}  {fig.share('no_match'):8.1%}  {fig.left_out}")
    lines.append("")
    lines.append("Reliability of the best score (answered questions): score from, answered, right at once")
    for code, fig in figures.items():
        cells = [f"{low:.1f}: {n:3d} {right / n:4.0%}" for low, (right, n) in sorted(fig.reliability.items()) if n]
        lines.append(f"  {code}  " + "   ".join(cells))
    lines.append("")
    lines.append("Calibration of the confidence (every topic question): from, questions, the right one first or second")
    for code, fig in figures.items():
        cells = [f"{low:.2f}: {n:3d} {right / n:4.0%}" for low, (right, n) in sorted(fig.calibration.items()) if n]
        lines.append(f"  {code}  " + "   ".join(cells))
    lines.append("")
    for code, fig in figures.items():
        o = fig.outcomes
        lines.append(f"{code}: crisis caught {o['crisis_caught']} of {o['crisis_caught'] + o['crisis_missed']}, "
                     f"emergency caught {o['emergency_caught']} of {o['emergency_caught'] + o['emergency_missed']}; "
                     f"other questions met with the crisis or emergency message first: {o['alarmed']}; "
                     f"no match, yet the nearest topics offered had it: {o['no_match_offered']}; "
                     f"questions about nothing the line answers: {o['nothing_none']} said so, {o['nothing_ask']} asked, "
                     f"{o['nothing_answer'] + o['nothing_offer']} answered with a topic")
    lines.append("")
    lines.append("Per topic and language: right within one step / questions")
    topics = sorted({t for fig in figures.values() for t in fig.by_topic})
    for topic in topics:
        cells = []
        for code, fig in figures.items():
            c = fig.by_topic.get(topic) or Counter()
            n = sum(c.values())
            cells.append(f"{code} {c['direct'] + c['offered'] + c['after_ask']:3d}/{n:<3d}" if n else f"{code}    -   ")
        lines.append(f"  {topic:24s} " + "   ".join(cells))
    lines.append("")
    lines.append("Most confused (asked about -> the line's first choice):")
    pairs: Counter[tuple[str, str, str]] = Counter()
    for code, fig in figures.items():
        for (truth, got), n in fig.confused.items():
            pairs[(code, truth, got)] += n
    for (code, truth, got), n in pairs.most_common(12):
        lines.append(f"  {n:3d}  {code}  {truth} -> {got}")
    return "\n".join(lines)
