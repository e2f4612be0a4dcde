"""Tune the matcher's weights and thresholds by 5-fold cross-validation on the question bank (prompts/), never on
the held-out evaluation set: each fold's examples are taken out of the bank, matched, and the decisions counted.

    .venv/bin/python bench/tune_matcher.py          # prints the best settings per language and overall
"""

from __future__ import annotations

import dataclasses
import itertools
import pickle
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.content import Content, Language, load  # noqa: E402
from service.understanding import matcher as M  # noqa: E402
from service.understanding.offtopic import OFF_TOPIC  # noqa: E402

FOLDS = 5
NOTHING = "(nothing)"


def without(lang: Language, held: set[tuple[str, int]]) -> Language:
    """The language with some examples taken out of its bank."""
    targets = {key: dataclasses.replace(t, examples=tuple(e for i, e in enumerate(t.examples) if (t.id, i) not in held))
               for key, t in lang.targets.items()}
    return dataclasses.replace(lang, targets=targets)


def folds(lang: Language) -> list[tuple[set[tuple[str, int]], list[tuple[str, str]]]]:
    """FOLDS splits of the bank (and of the off-topic list): what is held out, and the questions to ask."""
    items = [(t.id, i, e) for t in lang.targets.values() for i, e in enumerate(t.examples)]
    rng = random.Random(7)
    rng.shuffle(items)
    off = list(OFF_TOPIC.get(lang.code, ()))
    out = []
    for f in range(FOLDS):
        part = items[f::FOLDS]
        out.append(({(tid, i) for tid, i, _ in part}, [(e, tid) for tid, _, e in part] + [(q, NOTHING) for q in off[f::FOLDS]]))
    return out


def rankings(lang: Language, content: Content) -> list[tuple[str, list[tuple[str, float, float]]]]:
    """For each held-out question: its place and every place's (id, lexical, semantic) scores."""
    rows = []
    saved = dict(M.OFF_TOPIC) if hasattr(M, "OFF_TOPIC") else {}
    for held, questions in folds(lang):
        # The fold's own off-topic questions are held out of the "nothing" class too.
        M.OFF_TOPIC[lang.code] = tuple(q for q in saved.get(lang.code, ()) if (q, NOTHING) not in questions)
        # As the line builds it: the other languages' banks teach the meaning model too (all of them: their
        # examples are other texts than this fold's).
        index = M.LanguageIndex(without(lang, held), M.shared_encoder(), None, M.borrowed_examples(content, lang.code))
        for question, truth in questions:
            ranking = index.rank(question)
            rows.append((truth, [(s.target.id, s.lexical, s.semantic) for s in ranking]))
        M.OFF_TOPIC.update(saved)
    return rows


def decide(scores: list[tuple[str, float, float]], w: float, answer_at: float, margin: float, ask_at: float,
           lead: float = 1.0, offer_at: float = 1.0, confident: bool = False) -> tuple[str, list[str]]:
    if not any(lex for _, lex, _ in scores):
        w = 0.0
    ranked = sorted(((w * lex + (1 - w) * sem, tid) for tid, lex, sem in scores), reverse=True)
    best, runner = ranked[0][0], ranked[1][0]
    if (best >= answer_at and best - runner >= margin) or best - runner >= lead:
        return "answer", [ranked[0][1]]
    if confident:  # as the matcher decides, but for its menus (it offers the topic past a menu second: 1.5% of rows)
        likely = M.confidence(as_ranking(scores, w)) >= M.CONFIDENT_AT or best >= M.SURE_AT
        if likely:
            return "offer", [ranked[0][1], ranked[1][1]]
    elif best >= offer_at:
        return "offer", [ranked[0][1], ranked[1][1]]
    if best >= ask_at:
        return "ask", [tid for _, tid in ranked[: M.MAX_CHOICES]]
    return "none", []


def measure(rows: list, w: float, answer_at: float, margin: float, ask_at: float, lead: float = 1.0,
            offer_at: float = 1.0, confident: bool = False) -> dict[str, float]:
    first = step = wrong = topics = nothing_none = nothing = 0
    for truth, scores in rows:
        kind, ids = decide(scores, w, answer_at, margin, ask_at, lead, offer_at, confident)
        if truth == NOTHING:
            nothing += 1
            nothing_none += kind == "none"
            continue
        topics += 1
        if kind in ("answer", "offer") and ids[0] == truth:
            first += 1
        elif (kind == "offer" and truth in ids) or (kind == "ask" and truth in ids):
            step += 1
        elif kind in ("answer", "offer"):
            wrong += 1
    return {"first": first / topics, "good": (first + step) / topics, "wrong": wrong / topics,
            "off_topic_none": nothing_none / max(1, nothing)}


def as_ranking(scores: list[tuple[str, float, float]], w: float) -> list[M.Scored]:
    """A CV row's scores as the matcher ranks them."""
    if not any(lex for _, lex, _ in scores):
        w = 0.0
    out = [M.Scored(tid, w * lex + (1 - w) * sem, lex, sem) for tid, lex, sem in scores]  # type: ignore[arg-type]
    return sorted(out, key=lambda s: -s.score)


def fit_confidence(rows: dict[str, list], w: float, top: int = 2) -> tuple[float, ...]:
    """The confidence's weights: a logistic regression, on every language's cross-validated questions, of "the right
    place is among the first top" (two: first or second; never, for a question about nothing the line answers) on
    the ranking's shape."""
    import numpy as np

    x, y = [], []
    for language_rows in rows.values():
        for truth, scores in language_rows:
            ranking = as_ranking(scores, w)
            x.append(M.shape(ranking))
            y.append(truth != NOTHING and truth in [s.target for s in ranking[:top]])
    features, target = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    mean, spread = features.mean(0), features.std(0) + 1e-9
    z = (features - mean) / spread
    weights, bias = np.zeros(z.shape[1]), 0.0
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(z @ weights + bias)))
        weights -= 0.5 * (z.T @ (p - target) / len(target) + 1e-3 * weights)
        bias -= 0.5 * float((p - target).mean())
    raw = weights / spread
    return (round(float(bias - (raw * mean).sum()), 4), *(round(float(v), 4) for v in raw))


def main() -> None:
    content = load(ROOT / "prompts")
    cache = ROOT / "instance" / "tune-rankings.pkl"
    digest = content.version
    rows = None
    if cache.exists():
        saved = pickle.loads(cache.read_bytes())
        rows = saved["rows"] if saved.get("version") == digest else None
    if rows is None:
        rows = {code: rankings(lang, content) for code, lang in content.languages.items()}
        cache.parent.mkdir(exist_ok=True)
        cache.write_bytes(pickle.dumps({"version": digest, "rows": rows}))
    grid = itertools.product((0.2, 0.25, 0.3, 0.35, 0.45), (0.6, 0.7, 0.8), (0.1,), (0.1, 0.15), (1.0,),
                             (0.3, 0.33, 0.36, 0.38, 0.4, 0.42, 0.45, 1.0))
    results = []
    for w, answer_at, margin, ask_at, lead, offer_at in grid:
        if offer_at < ask_at:
            continue
        per = {code: measure(r, w, answer_at, margin, ask_at, lead, offer_at) for code, r in rows.items()}
        worst_first = min(p["first"] for p in per.values())
        worst_wrong = max(p["wrong"] for p in per.values())
        worst_good = min(p["good"] for p in per.values())
        # A wrong first reply is the costly mistake (a wrong answer, and no offer of the right one): kept under 2%.
        results.append((worst_wrong <= 0.02, worst_first, worst_good, (w, answer_at, margin, ask_at, lead, offer_at), per))
    results.sort(key=lambda r: (r[0], r[1], r[2]), reverse=True)
    print("Cross-validated on the bank (5 folds); best first (first = answered right at once; good = right at once or after "
          "one step; wrong = a wrong answer, with no offer of the right one):")
    for ok, _, _, params, per in results[:10]:
        figures = "  ".join(f"{c}: first {p['first']:.3f} good {p['good']:.3f} wrong {p['wrong']:.3f} off-topic->none "
                            f"{p['off_topic_none']:.2f}" for c, p in per.items())
        print(f"  weight {params[0]} answer_at {params[1]} margin {params[2]} ask_at {params[3]} offer_at {params[5]}  "
              f"{figures}{'' if ok else '  (misses a limit)'}")
    print("Confidence weights (CONFIDENCE in service/understanding/matcher.py; the bar, CONFIDENT_AT, is set on "
          "bench/dev):", fit_confidence(rows, M.LEXICAL_WEIGHT))
    current = (M.LEXICAL_WEIGHT, M.ANSWER_AT, M.ANSWER_MARGIN, M.ASK_AT, M.ANSWER_LEAD, M.OFFER_AT)
    print("The best score alone, offer from OFFER_AT", current, {c: measure(r, *current) for c, r in rows.items()})
    print("Shipped (the confidence, or a best score of SURE_AT)",
          {c: measure(r, *current, confident=True) for c, r in rows.items()})


if __name__ == "__main__":
    main()
