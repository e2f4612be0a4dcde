"""What Twilio's speech recognizer makes of medical words, put back: "polly neuropathy" is polyneuropathy."""

from __future__ import annotations

import re

from ..content import normalize

# Heard -> meant, on normalized text (lower case, no accents or punctuation). Both languages: a caller may say
# the English name of the disease in a Spanish call.
_MISHEARD = [
    (r"\bp o e m s\b|\bp o m s\b|\bpoem s\b|\bpoems s\b|\bpomes\b|\bpo ems\b|\bpoemas?\b|\bpoem\b", "poems"),
    (r"\b(polly|poly|polley|poli|polo) ?(neuro ?pathy|neuropath[iy]e?s?|neuro pat[ií]a|neuropatia)\b", "polyneuropathy"),
    (r"\borgan(o)? ?mega ?(lee|ly|lie|li|lia)\b|\borgan omega ?ly\b", "organomegaly"),
    (r"\bendo ?(crin|crine|crino) ?(pathy|pathie|patia)\b", "endocrinopathy"),
    (r"\bmono ?clonal\b", "monoclonal"),
    (r"\bcrow (fu ?kase|for kasey|fukasi|fuk ase)\b", "crow fukase"),
    (r"\bcastle ?man\b", "castleman"),
    (r"\bv e g f\b|\bveg f\b|\bvedge f\b", "vegf"),
    (r"\bc i d p\b|\bc id p\b", "cidp"),
    (r"\bp d i c\b", "pdic"),
    (r"\bm g u s\b|\bem gus\b", "mgus"),
    (r"\brev ?limit\b|\brev ?limid\b", "revlimid"),
    (r"\bstem sell\b", "stem cell"),
]
_PATTERNS = [(re.compile(pattern), meant) for pattern, meant in _MISHEARD]


def repair(heard: str) -> str:
    """A recognizer's transcript with the common mishearings of the line's medical words put right (as heard, accents
    and all, when none was misheard: the meaning model reads "¿qué es?" better than "que es")."""
    text = normalize(heard)
    repaired = text
    for pattern, meant in _PATTERNS:
        repaired = pattern.sub(meant, repaired)
    if repaired == text:
        return " ".join(heard.split())
    # Put right in the words as heard too, where the repairs find the same words there ("síndrome de poemas"): the
    # rest keeps its accents. Else (a word spelt with a dot or an accent inside it), the plain form.
    kept = " ".join(heard.lower().split())
    for pattern, meant in _PATTERNS:
        kept = pattern.sub(meant, kept)
    return kept if normalize(kept) == repaired else repaired


def recognized(said: str) -> str:
    """A sentence as a phone recognizer writes it down: its words as they are spelt (accents kept), lower case, without
    punctuation (the held-out questions said aloud, in make eval)."""
    return " ".join(re.sub(r"[^\w\s'-]", " ", said.lower()).split())
