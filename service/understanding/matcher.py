"""Finding what a message is about: word stems (BM25, typos corrected) and meaning (sentence embeddings), together,
then a decision: answer, answer and offer the next, ask which was meant, or say plainly that nothing matched."""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process

from ..content import Content, Language, Target, normalize
from .lexical import BM25
from .offtopic import ELSEWHERE_AT, OFF_TOPIC, Elsewhere, layer_examples
from .semantic import Embedder, SemanticModel, UniversalSentenceEncoder, shared_encoder
from .words import Analyzer

# How the two scores are weighed, and where the decisions fall: chosen with bench/tune_matcher.py by 5-fold
# cross-validation on the question bank, never on the held-out evaluation set (bench/README.md).
# Confirmed on bench/dev/questions.csv, real questions kept apart from both the bank and the held-out set.
LEXICAL_WEIGHT = 0.35
ANSWER_AT = 0.9       # a best score this high, this far ahead of the next, is answered at once
ANSWER_MARGIN = 0.1
ANSWER_LEAD = 1.0     # or a lead this large over the next, whatever the score (1.0: never; lower leads answered wrong more often)
ASK_AT = 0.15         # below this nothing is close enough to offer as "did you mean"
# Without CONFIDENCE (below): a best score this high, not clearly ahead, is answered, with the next two offered too
# (0.44, set on the development questions; the admin pages call a nearest topic this close "close").
OFFER_AT = 0.44
# The line answers, and offers the next two, when it is this sure that the right place is the first or the second
# of the ranking: a logistic regression over the ranking's shape (the bias, then one weight per feature of shape()),
# fitted by bench/tune_matcher.py on the bank's cross-validation. Its bar was set on the development questions (the
# lowest at which neither language's wrong answers fall further). A shape says more than the best score alone: a
# best of 0.45 with two others close behind is a guess, a best of 0.45 far ahead of all is not (bench/README.md).
CONFIDENCE: tuple[float, ...] | None = (0.058, 0.4376, 6.7169, 12.1338, 0.1668, 0.6627, 0.7843, -51.6123)
CONFIDENT_AT = 0.95
# And a best score this high is answered whatever the confidence: a message that plainly names one place, whose other
# places' shares are crumbs (the confidence, linear, holds a second's tiny lead over a third against it). The lowest
# that added no wrong answer on the development questions (0.55 added one).
SURE_AT = 0.6
# A likely topic this far ahead of a menu that comes second, with no other topic near enough to offer, is answered
# alone, not asked about (set on the development questions; a menu as close as the answer is still asked about).
ALONE_LEAD = 0.1
# A likely answer's first offer (the runner-up) is offered whatever its score (0.0). Offered only from the "did you mean" bar (0.15),
# the development questions lost nothing, but the held-out ones answered more wrongly (a runner-up scored under 0.15
# is still often the one meant; bench/README.md): not kept.
OFFER_FLOOR = 0.0
OFFER_FROM = 1.0      # or a best score this high that leads the next by OFFER_LEAD (1.0: never)
OFFER_LEAD = 1.0
# After a likely answer, the next two places are offered, not one (keys or replies 1 and 2): on the bank's 5-fold
# cross-validation, wrong answers 55 -> 34 of 6,498 English and 53 -> 28 of 6,667 Spanish, and on the development
# questions 2 -> 1 and 1 -> 0, right first unchanged (bench/study.py, "offer two"; bench/README.md). A score floor of
# 0.15 for the second lost half of that gain: it has none.
MAX_OFFERED = 2
# After an answer, the topic offered is the next topic past a menu that comes second (False: a menu second means
# "did you mean"); on the development questions, Spanish right first 59.1% -> 61.4%, wrong unchanged (bench/README.md).
OFFER_PAST_MENU = True
# The word lists whose words count with a few words beside them that ask for nothing.
LENIENT_LISTS = ("courtesy", "menu", "help", "text_me", "stop_texts", "repeat", "back", "not_it", "both", "person", "wait", "slower", "no_callback", "last", "faster", "more")
# A short message with one number in it ("option 2", "number two") is that number.
MAX_NUMBER_WORDS = 6  # filler and all: "el número dos, por favor"
# A message this short, of common words only, goes on from what came before ("he has it", "él lo tiene"): right after an
# answer the channels never call it about something else ("tell me a joke" is still told what the line is for).
FOLLOW_UP_WORDS = 4
MAX_CHOICES = 3       # a caller hears at most three choices (each is a title and a key to hold in mind)
GIST_CHARS = 600
# A message of a few words that is a keyword or phrase with a typo in it still names that place.
MAX_NAMING_WORDS = 3
MIN_TYPO_NAME = 5
TYPO_SIMILARITY = 85


class Scored(NamedTuple):
    """One place and how well a message matches it (a tuple: each message ranks every place, and the bank's check
    ranks thirteen thousand examples)."""

    target: Target
    score: float
    lexical: float
    semantic: float


@dataclass(frozen=True)
class Decision:
    """What to do with a message: "answer" the first choice; "offer": answer the first choice and offer the others
    (one or two) in one short line (likely, not certain); "ask" which choice was meant; or "none" matched (the choices are then
    the nearest places, offered anyway); elsewhere: "none", because the message is about nothing the line answers (a
    wrong number, an errand), which is said instead of offering guesses."""

    kind: str
    choices: tuple[Target, ...]
    ranking: tuple[Scored, ...]
    elsewhere: bool = False

    @property
    def target(self) -> Target:
        """The place answered, or the first choice."""
        return self.choices[0]

    def for_a_call(self) -> Decision:
        """The same decision with what a caller is offered after an answer: an action only when its meaning is close
        enough to have been meant, else the next topic. "Leave a message" offered after an answer about whether POEMS
        is inherited (its words 0.73, its meaning 0.00) cost a caller the time to hear it and was one "1", or "yes"
        twice, from a recording nobody asked for. A texter offered it gets a number to call (the eval found real
        questions it serves, "Will my nurse always pick up the phone?"): texts keep it."""
        if self.kind != "offer" or all(t.kind != "action" for t in self.choices[1:]):
            return self
        # By (kind, id): the choices may be the content's current places, the ranking the matcher's (an edit to an
        # answer's text changes the one, not the other).
        meaning = {(s.target.kind, s.target.id): s.semantic for s in self.ranking}
        chosen = {(t.kind, t.id) for t in self.choices}
        kept = [t for t in self.choices[1:] if t.kind != "action" or meaning.get((t.kind, t.id), 0.0) >= ASK_AT]
        spare = [s.target for s in self.ranking if s.target.kind == "topic" and (s.target.kind, s.target.id) not in chosen]
        return Decision("offer", (self.target, *[*kept, *spare][:len(self.choices) - 1]), self.ranking)


class LanguageIndex:
    """One language's places (topics, actions and menus), with their bank of examples, ready to rank a message."""

    def __init__(self, lang: Language, embedder: Embedder, cache_dir: Path | None = None,
                 borrowed: dict[tuple[str, str], tuple[str, ...]] | None = None, train: bool = True,
                 urgent_topic: str = "") -> None:
        self.lang = lang
        # The layer that tells what is about something else, shared by every language (the Matcher sets it).
        self.elsewhere: Elsewhere | None = None
        self.analyzer = Analyzer(lang)
        self.places: list[Target] = [t for t in lang.targets.values() if not (t.kind == "menu" and t.id == "main")]
        # Each place's texts: title, keyword and phrases, then the examples people really send.
        self.texts: list[list[str]] = [[t.title, t.keyword, *t.phrases, *t.examples] for t in self.places]
        flat = [text for texts in self.texts for text in texts]
        self.analyzer.learn(flat)
        self.lexical = BM25([[self.analyzer.terms(text) for text in texts] for texts in self.texts])
        owner = [i for i, texts in enumerate(self.texts) for _ in texts]
        # The meaning model also learns from the other languages' banks: the encoder puts "can my wife catch it"
        # and "mi esposa se lo puede contagiar" close together, and each bank holds wordings the other lacks.
        # (Word stems stay each language's own.)
        other = [(i, text) for i, place in enumerate(self.places) for text in (borrowed or {}).get((place.kind, place.id), ())]
        # One more class, after the places: messages about nothing the line answers.
        off_topic = list(OFF_TOPIC.get(lang.code.split("-")[0], ()))
        self.semantic = SemanticModel(embedder, flat + [t for _, t in other] + off_topic,
                                      owner + [i for i, _ in other] + [len(self.places)] * len(off_topic),
                                      len(self.places) + 1, cache_dir, train)
        self.embedder = embedder
        # A message that is exactly a place's keyword, title or one of its phrases goes there (the check keeps each
        # phrase to one place); one-letter ones (P, O, E, M, S) only as the whole message: "it's" holds an "s".
        self.exact: dict[str, Target] = {}
        for place in self.places:
            for phrase in (place.keyword, *place.phrases, place.title):
                self.exact.setdefault(normalize(phrase), place)
        self.exact_keys = [k for k in self.exact if len(k) >= MIN_TYPO_NAME]
        # A message that is exactly one of a place's examples goes there too ("what is poems": common words only,
        # spread by the meaning model over every topic that mentions POEMS), unless two places list it.
        listed: dict[str, set[int]] = {}
        for i, place in enumerate(self.places):
            for example in place.examples:
                listed.setdefault(normalize(example), set()).add(i)
        self.examples = {words: self.places[next(iter(owners))] for words, owners in listed.items()
                         if len(owners) == 1 and words not in self.exact}
        self.words = {name: frozenset(normalize(w) for w in words) for name, words in lang.words.items()}
        # A control or courtesy said with a few more words ("thank you for the info", "ayuda por favor", "hi there,
        # I have a question"): each list's phrases, longest first, and the words that may stand beside them without
        # asking for anything.
        self._said_with: dict[str, list[re.Pattern[str]]] = {
            name: [re.compile(rf"\b{re.escape(p)}\b") for p in sorted(self.words.get(name, ()), key=len, reverse=True)]
            for name in LENIENT_LISTS}
        # Only the language's filler words ("please", "por favor", "for the info") and a one-word yes or no: its common
        # words at large would make questions of them ("is it back", "what are my options").
        self.filler = frozenset(w for phrase in self.words.get("filler", ()) for w in phrase.split())
        self.numbers = [normalize(w) for w in lang.words.get("numbers", ())]  # spoken or written 0 to 9, in order
        # "The second one", "la segunda": 1 to 5 in order, each entry's forms separated by "/".
        self.ordinals = {normalize(form): n for n, entry in enumerate(lang.words.get("ordinals", ()), start=1)
                         for form in entry.split("/") if normalize(form)}
        # A one-word yes or no only: the words inside longer ones ("así es", "the first one") would let a question made
        # of them pass for a control word ("qué es" is not "qué?").
        self._beside = self.filler | {p for name in ("yes", "no") for p in self.words.get(name, ()) if " " not in p}
        # Beside a number, a one-word yes too ("yes, the second one", "sí, la dos"); never a no ("no one" is nobody).
        self._yes_word = frozenset(p for p in self.words.get("yes", ()) if " " not in p)
        self._beside_number = self.filler | self._yes_word
        # While choices are waiting, the words that pick one too ("I want 2", "quiero la 2", "me refería a la segunda").
        self._choosing = self._beside_number | {w for phrase in self.words.get("choosing", ()) for w in phrase.split()}
        # Words that together need the warning signs at once, never a guess: "fever / chills + transplant / chemo" (each
        # piece in the message, in any order; "/" between a piece's forms), to urgent_topic (the line's warning signs).
        self.urgent = [[re.compile(r"\b(?:" + "|".join(re.escape(f) for f in forms) + r")\b") for forms in pieces]
                       for pieces in (urgent_pieces(entry) for entry in lang.words.get("urgent", ())) if pieces]
        self.urgent_place: Target | None = lang.targets.get(("topic", urgent_topic)) if urgent_topic else None

    def rank(self, text: str, vector: np.ndarray | None = None) -> list[Scored]:
        """Every place scored for a message, best first: the words' BM25 share and the meaning's probability."""
        terms, _ = self.analyzer.query_terms(text)
        lexical = self.lexical.scores(terms)
        if vector is None:
            vector = self.embedder.encode([_gist(text)])[0]
        semantic = self.semantic.probabilities(vector)[: len(self.places)].tolist()
        # A message of only common words ("what is POEMS") has no lexical evidence either way: meaning decides.
        weight = LEXICAL_WEIGHT if any(lexical) else 0.0
        scored = [Scored(place, weight * lex + (1 - weight) * sem, lex, sem)
                  for place, lex, sem in zip(self.places, lexical, semantic)]
        return sorted(scored, key=lambda s: -s.score)

    def decide(self, text: str, vector: np.ndarray | None = None, by_example: bool = True,
               choices: int = MAX_CHOICES) -> Decision:
        """Answer, ask, or none, for a message in this language, with at most choices places to choose from
        (by_example=False: as if the message were not one of the bank's examples, to check the bank against the matcher)."""
        words = normalize(text[:2000])
        exact = self.exactly(words) or (self.examples.get(words) if by_example else None)
        if vector is None:
            vector = self.embedder.encode([_gist(text)])[0]
        ranking = self.rank(text, vector)
        if exact is not None:
            return Decision("answer", (exact,), tuple(ranking))
        if self.analyzer.knows_none(text):
            return Decision("none", tuple(s.target for s in ranking[:choices]), tuple(ranking), self.is_elsewhere(text, vector, unknown=True))
        if self.urgent_place is not None and self.is_urgent(words):
            return Decision("answer", (self.urgent_place,), tuple(ranking))
        best = ranking[0]
        runner = ranking[1].score if len(ranking) > 1 else 0.0
        if (best.score >= ANSWER_AT and best.score - runner >= ANSWER_MARGIN) or best.score - runner >= ANSWER_LEAD:
            return Decision("answer", (best.target,), tuple(ranking))
        if CONFIDENCE is not None:
            likely = confidence(ranking) >= CONFIDENT_AT or best.score >= SURE_AT
        else:
            likely = best.score >= OFFER_AT or (best.score >= OFFER_FROM and best.score - runner >= OFFER_LEAD)
        # The first topic offered after an answer is the runner-up; past a menu that comes second, the next topic, if
        # it is close enough to offer at all: such a menu is most often the one the answer sits in ("treatment" and
        # "treatment and care"), not another meaning. The second is the next topic after it, whatever its score.
        also: Target | None = None
        if likely and len(ranking) > 1 and ranking[1].score < OFFER_FLOOR:
            return Decision("answer", (best.target,), tuple(ranking))
        if likely and len(ranking) > 1 and ranking[1].target.kind != "menu":
            also = ranking[1].target
        elif likely and OFFER_PAST_MENU and best.target.kind != "menu":
            also = next((s.target for s in ranking[2:] if s.target.kind != "menu" and s.score >= ASK_AT), None)
        if (likely and also is None and best.target.kind == "topic" and len(ranking) > 1
                and best.score - ranking[1].score >= ALONE_LEAD):
            # Likely, well ahead of the menu that comes second, and no topic near enough to offer: the answer alone. It
            # was a "did you mean" of far-off places at 97% sure ("se hereda el poems"). (A menu as close as the
            # answer is still asked about.)
            return Decision("answer", (best.target,), tuple(ranking))
        if also is not None:
            # Answer, then offer: the likeliest answer at once, and the next one or two a key or reply away (on the
            # bank, 5-fold: right at once 52% -> 76%, wrong 1.0% -> 1.1%; bench/README.md).
            offered = [also, *(s.target for s in ranking[1:] if s.target.kind != "menu" and s.target not in (best.target, also))]
            return Decision("offer", (best.target, *offered[:MAX_OFFERED]), tuple(ranking))
        if best.target.kind != "action" and self.is_elsewhere(text, vector):
            # About nothing the line answers ("who won the game"): said so, not a "did you mean" of topics its words
            # happen to touch. Never when the nearest place is one of the line's own services: "my phone number
            # changed", "are you a real person" are about leaving a message or reaching someone.
            return Decision("none", tuple(s.target for s in ranking[:choices]), tuple(ranking), elsewhere=True)
        if best.score >= ASK_AT:
            # The nearest are offered (three to a caller, four to a texter): on the bank, limiting the offer to the
            # closest scores lost more right answers than it saved a caller's time (bench/tune_matcher.py).
            return Decision("ask", tuple(s.target for s in ranking[:choices]), tuple(ranking))
        return Decision("none", tuple(s.target for s in ranking[:choices]), tuple(ranking))

    @functools.cached_property
    def off_topic_terms(self) -> frozenset[str]:
        """The stems of the off-topic messages (every language's): a message's other stems that the bank has are words
        of the line's own subject."""
        return frozenset(term for text in layer_examples() for term in self.analyzer.terms(text))

    def is_elsewhere(self, text: str, vector: np.ndarray, unknown: bool = False) -> bool:
        """Whether a message is about nothing the line answers: likely so by its meaning, and without a word of the bank
        that no off-topic message has ("vegf q es": the encoder does not know VEGF, the bank does). Unknown (no word of
        the bank at all): only when its words are the off-topic messages' ("tell me a joke"); others are nonsense or a
        mishearing ("zorp blik wuggle"), which is "not understood", with the nearest topics."""
        if self.elsewhere is None:
            return False
        terms = self.analyzer.terms(text)
        if any(term in self.lexical.row and term not in self.off_topic_terms for term in terms):
            return False
        if unknown and not all(term in self.off_topic_terms for term in terms):
            return False
        return self.elsewhere.probability(vector) >= ELSEWHERE_AT

    def goes_on(self, text: str) -> bool:
        """Whether a message is a few common words that can only go on from what came before ("he has it")."""
        return len(normalize(text[:2000]).split()) <= FOLLOW_UP_WORDS and not self.analyzer.words(text)

    def exactly(self, words: str) -> Target | None:
        """The place a short message names exactly, or with a typo ("contagous", "hereditery")."""
        found = self.exact.get(words)
        if found is not None or len(words.split()) > MAX_NAMING_WORDS or len(words) < MIN_TYPO_NAME:
            return found
        near = process.extractOne(words, self.exact_keys, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY)
        return self.exact[near[0]] if near else None

    def number_in(self, words: str, choosing: bool = False) -> int | None:
        """The one number in a short normalized message, in digits or words, with nothing beside it but filler or a
        one-word yes ("2", "dos", "option 2", "el uno", "press three", "yes the second one"); choosing (while a "did
        you mean" or offered topics wait for an answer), also the words that pick a choice's one digit ("I want 2",
        "dame la 2"). None for anything else ("type 2 diabetes", "can I take 2", "give me 988" are questions)."""
        tokens = words.split()
        if len(tokens) > MAX_NUMBER_WORDS:
            return None
        one = self.numbers[1] if len(self.numbers) > 1 else ""
        # An ordinal after "a" or "one" is time ("just a second", "one second"), not a choice; the "one" right after
        # one is the choice's ("the second one").
        ordinals = [self.ordinals[t] for n, t in enumerate(tokens)
                    if t in self.ordinals and (n == 0 or tokens[n - 1] not in ("a", "an", one))]
        if len(ordinals) != sum(t in self.ordinals for t in tokens):
            return None
        tokens = [t for n, t in enumerate(tokens) if not (t == one and n > 0 and tokens[n - 1] in self.ordinals)]
        found = ([int(t) for t in tokens if t.isdigit()] + [self.numbers.index(t) for t in tokens if t in self.numbers]
                 + ordinals)
        others = [t for t in tokens if not t.isdigit() and t not in self.numbers and t not in self.ordinals]
        if len(found) != 1:
            return None
        beside = self._choosing if choosing and found[0] <= 9 else self._beside_number
        return found[0] if all(t in beside for t in others) else None

    def numbers_in(self, words: str) -> list[int]:
        """The choices named in a short normalized message of two or more numbers with nothing beside them but the
        words that choose ("1 and 2", "1,2", "uno y dos", "I want 2 and 3", "the first and the third"; "1 1" is 1), each
        once, first named first; [] for anything else (a number alone, which number_in reads, a question, a number
        above 9)."""
        tokens = words.split()
        if len(tokens) > MAX_NUMBER_WORDS + 2:
            return []
        one = self.numbers[1] if len(self.numbers) > 1 else ""
        # "The second one and the third one": an ordinal's "one" is no choice of its own.
        tokens = [t for n, t in enumerate(tokens) if not (t == one and n > 0 and tokens[n - 1] in self.ordinals)]
        found: list[int] = []
        named = 0
        for token in tokens:
            number = (int(token) if token.isdigit() else self.numbers.index(token) if token in self.numbers
                      else self.ordinals.get(token))
            if number is None:
                if token not in self._choosing:
                    return []
                continue
            if number > 9:
                return []
            named += 1
            if number not in found:
                found.append(number)
        return found if named > 1 else []

    def is_urgent(self, words: str) -> bool:
        """Whether normalized words hold every piece of one of the language's urgent entries ("fever after my transplant")."""
        return any(all(piece.search(words) for piece in pieces) for pieces in self.urgent)

    def is_word(self, text: str, name: str) -> bool:
        """True when the whole message is one of the words listed under words: name (for a control or courtesy, also
        with words beside it that ask for nothing: "thanks, bye", "ayuda por favor", "hello, good morning")."""
        words = normalize(text)
        if words in self.words.get(name, frozenset()):
            return True
        patterns = self._said_with.get(name)
        if not patterns or len(words) > 200:
            return False
        found, rest = 0, words
        for pattern in patterns:  # longest first: "stop texting me" before "please stop"
            rest, n = pattern.subn(" ", rest)
            found += n
        if found > 0 and all(w in self._beside for w in rest.split()):
            return True
        # Phrases that overlap ("slower please" inside "speak slower please"): each alone, with what is beside it.
        return found > 0 and any(all(w in self._beside for w in pattern.sub(" ", words).split())
                                 for pattern in patterns if pattern.search(words))


def urgent_pieces(entry: str) -> list[list[str]]:
    """An urgent entry's pieces ("fever/chills + transplant/chemo"), each as its normalized forms."""
    pieces = [[normalize(form) for form in piece.split("/") if normalize(form)] for piece in entry.split("+")]
    return pieces if all(pieces) else []


_BUILT: dict[tuple[str, str], "Matcher"] = {}
_BUILT_LOCK = threading.Lock()


class Matcher:
    """Every language's index, sharing one embedding model."""

    def __init__(self, content: Content, embedder: Embedder | None = None, cache_dir: Path | None = None) -> None:
        self.embedder = embedder or shared_encoder()
        if isinstance(self.embedder, UniversalSentenceEncoder) and self.embedder.cache_dir is None:
            self.embedder.cache_dir = cache_dir
        # Loaded now, at start (in gunicorn's master with --preload, so the workers share its memory).
        self.embedder.encode(["warm up"])
        self.indexes = {code: LanguageIndex(lang, self.embedder, cache_dir, borrowed_examples(content, code), train=False,
                                            urgent_topic=content.emergency_topic)
                        for code, lang in content.languages.items()}
        # Learnt from the places' own texts, every language's, in the indexes' order.
        self.elsewhere = Elsewhere([text for index in self.indexes.values() for texts in index.texts for text in texts],
                                   self.embedder, cache_dir, train=False)
        for index in self.indexes.values():
            index.elsewhere = self.elsewhere
        # The layers not found ready are trained side by side: numpy frees the interpreter during its arithmetic, so
        # two languages take the time of one on two cores (a changed bank's first start: 7 s instead of 14).
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(lambda model: model.train(), [*(index.semantic for index in self.indexes.values()), self.elsewhere]))

    @classmethod
    def for_content(cls, content: Content, cache_dir: Path | None = None) -> "Matcher":
        """The matcher for this content: built once per content version in a process (the same prompt files give
        the same matcher; it is never changed once built)."""
        key = (content.version, str(cache_dir))
        with _BUILT_LOCK:
            found = _BUILT.get(key)
        if found is None:
            found = cls(content, cache_dir=cache_dir)
            with _BUILT_LOCK:
                _BUILT[key] = found
                while len(_BUILT) > 4:
                    _BUILT.pop(next(iter(_BUILT)))
        return found

    def decide(self, text: str, lang: str, choices: int = MAX_CHOICES) -> Decision:
        """What to do with a message in a language (with at most choices places to choose from)."""
        return self.indexes[lang].decide(text, choices=choices)

    def says_thanks(self, text: str) -> bool:
        """Whether a message holds a thank-you in any language (the lists "thanks": "ok thanks", "thx", "gracias")."""
        words = f" {normalize(text[:2000])} "
        return any(f" {normalize(w)} " in words for index in self.indexes.values() for w in index.lang.words.get("thanks", ()) if normalize(w))

    def word_language(self, text: str, name: str, current: str) -> str | None:
        """The language whose word list name holds the whole message (for a language's name, also the message without
        any language's common words: "spanish please", "en español por favor"); current first."""
        forms = {normalize(text)}
        if name == "language":
            forms |= {" ".join(index.analyzer.words(text)) for index in self.indexes.values()}
        for code in [current, *(c for c in self.indexes if c != current)]:
            if any(self.indexes[code].is_word(form, name) for form in forms if form):
                return code
        return None


def shape(ranking: Sequence[Scored]) -> tuple[float, ...]:
    """What the confidence is computed from: the best score, its lead over the second, the second's over the third,
    the best's meaning and words scores, whether the words agree on the best, and the meaning's share for nothing."""
    scores = [s.score for s in ranking[:3]] + [0.0] * (3 - min(3, len(ranking)))
    best = ranking[0]
    words_best = max(ranking, key=lambda s: s.lexical)
    agree = float(words_best.lexical > 0 and words_best.target == best.target)
    nothing = max(0.0, 1.0 - sum(s.semantic for s in ranking))
    return (scores[0], scores[0] - scores[1], scores[1] - scores[2], best.semantic, best.lexical, agree, nothing)


def confidence(ranking: Sequence[Scored], weights: Sequence[float] | None = None) -> float:
    """How likely the right place is the first or the second of a ranking (CONFIDENCE's weights unless given)."""
    weights = weights if weights is not None else CONFIDENCE
    if not weights or not ranking:
        return 0.0
    features = shape(ranking)
    if len(weights) != len(features) + 1:
        raise ValueError(f"confidence weights: {len(weights)} given, {len(features) + 1} expected (bias and one per feature)")
    z = weights[0] + sum(w * x for w, x in zip(weights[1:], features))
    if not math.isfinite(z):
        return 0.0  # a broken score is never a reason to answer
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


# Weights for another set of features (a developer's slip) stop the start, not a caller's question.
confidence([Scored(None, 0.0, 0.0, 0.0)])  # type: ignore[arg-type]


def borrowed_examples(content: Content, code: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """The other languages' bank examples, by the place they belong to (the same ids in every language)."""
    out: dict[tuple[str, str], tuple[str, ...]] = {}
    for other in content.other_languages(code):
        for key, target in other.targets.items():
            out[key] = out.get(key, ()) + target.examples
    return out


def _gist(text: str) -> str:
    """What of a message is embedded: words said twice in a row once ("I I think"), and of a long message its start
    and its end, where people put the question."""
    words: list[str] = []
    for word in text.split():
        if not words or word.lower() != words[-1].lower():
            words.append(word)
    text = " ".join(words)
    return text if len(text) <= GIST_CHARS else f"{text[: GIST_CHARS // 3]} ... {text[-2 * GIST_CHARS // 3:]}"
