"""Checks of the question bank against the matcher: examples that lead somewhere other than their own topic."""

from __future__ import annotations

from ..content import Content, Problem, Target, normalize
from .matcher import Matcher


def example_problems(content: Content, matcher: Matcher) -> list[Problem]:
    """A warning, with file and line, for each example the matcher answers with a different place than its own."""
    problems: list[Problem] = []
    for code, index in matcher.indexes.items():
        lang = content.languages[code]
        targets = [t for t in lang.targets.values() if t.examples]
        texts = [e for t in targets for e in t.examples]
        # The bank's vectors were computed (or loaded) when the index was built: reused, not embedded again.
        known = {text: row for row, text in enumerate(t for texts in index.texts for t in texts)}
        missing = [t for t in texts if t not in known]
        fresh = dict(zip(missing, index.embedder.encode(missing))) if missing else {}
        vectors = [index.semantic.vectors[known[t]] if t in known else fresh[t] for t in texts]
        owners: dict[str, list[Target]] = {}
        for target in targets:
            for example in dict.fromkeys(normalize(e) for e in target.examples):
                owners.setdefault(example, []).append(target)
        row = 0
        for target in targets:
            for number, example in enumerate(target.examples):
                decision = index.decide(example, vectors[row], by_example=False)
                row += 1
                line = target.example_lines[number] if number < len(target.example_lines) else target.line
                if decision.kind == "answer" and decision.target.id != target.id:
                    # Exactly these words still come here (an example is matched as written); worded a little
                    # differently, they go elsewhere.
                    problems.append(Problem(target.file, line, f"{target.kind} '{target.id}': the example \"{example}\" is answered with "
                                            f"{decision.target.kind} '{decision.target.id}'; expected it to lead here: reword it, "
                                            f"or move it under '{decision.target.id}'", "warning"))
                others = [t for t in owners.get(normalize(example), ()) if t is not target]
                if others:
                    problems.append(Problem(target.file, line, f"{target.kind} '{target.id}': the example \"{example}\" is also listed "
                                            f"under {others[0].kind} '{others[0].id}'; expected each example under one place only "
                                            "(listed twice, it is not matched as written)", "warning"))
    return problems
