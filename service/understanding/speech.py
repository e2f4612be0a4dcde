"""What Twilio's speech recognizer makes of medical words, put back: "polly neuropathy" is polyneuropathy."""

from __future__ import annotations

import re

from ..content import normalize

# Heard -> meant, on normalized text (lower case, no accents or punctuation). Both languages: a caller may say
# the English name of the disease in a Spanish call.
_MISHEARD = [
    (r"\bp o e m s\b|\bp o m s\b|\bpoem s\b|\bpoems s\b|\bpomes\b|\bpo ems\b|\bpoemas?\b|\bpoem\b", "poems"),
    (r"\b(polly|poly|polley|poli|polo) ?(neuro ?pathy|neuropath[iy]e?s?|neuro ?pat[ií]a)\b", "polyneuropathy"),
    (r"\borgan(o)? ?mega ?(lee|ly|lie|li|lia)\b|\borgan omega ?ly\b", "organomegaly"),
    (r"\bendo ?(crin|crine|crino) ?(pathy|pathie|pat[ií]a)\b", "endocrinopathy"),
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


# The words the repairs put back, as each language writes them (a Spanish caller's "polineuropatía" must stay Spanish:
# the Spanish bank's words do not know the English one).
_IN_LANGUAGE = {"es": {"polyneuropathy": "polineuropatia", "organomegaly": "organomegalia", "endocrinopathy": "endocrinopatia"}}


def repair(heard: str, lang: str) -> str:
    """A recognizer's transcript, read as the line reads every transcript (its words as spelt, accents kept, lower case,
    no punctuation, whatever the recognizer sends), with the common mishearings of the line's medical words put right
    in the caller's language."""
    spelt = recognized(heard)
    text = normalize(spelt)
    own = _IN_LANGUAGE.get(lang.split("-")[0], {})
    repaired = _put_right(text, own)
    if repaired == text:
        # Nothing misheard: the words as spelt (the meaning model reads "qué síntomas" better than "que sintomas").
        return spelt
    # Put right in the words as spelt too, where the repairs find the same words there ("síndrome de poemas"): the rest
    # keeps its accents. Else (an accent inside the misheard word), the plain form.
    kept = _put_right(spelt, own)
    return kept if normalize(kept) == repaired else repaired


def _put_right(text: str, own: dict[str, str]) -> str:
    for pattern, meant in _PATTERNS:
        text = pattern.sub(own.get(meant, meant), text)
    return text


def recognized(said: str) -> str:
    """A sentence as a phone recognizer writes it down, and as the line reads a transcript: its words as they are spelt
    (accents kept), lower case, without punctuation."""
    return " ".join(re.sub(r"[^\w\s'-]", " ", said.lower()).split())
