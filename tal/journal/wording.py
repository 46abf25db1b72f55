"""The wording review of the journal (« Relire la formulation ») and of ``tal wording check``.

``review(text, names)`` returns the ``Flag``s of ``text``: passages that point at a
person rather than at the system, each with its French reason (a catalogue message,
translated when shown) and a French rewording of its sentence about the system (the
same for every flag of a sentence). ``names`` are the people known to the
application (the collectivité's accounts).

Two detectors are merged:

* the language analysis (``tal.journal.analysis`` on spaCy's ``fr_core_news_sm``):
  who is the subject or the cause of a failure;
* the documented patterns of ``tal.journal.blame`` that blame by themselves
  (« la faute de », « erreur humaine », « négligence », « responsable de l'erreur »…).

The patterns that only designate a person (``individu``, ``nom``: « M. Dupont », a
known name) are not blame by themselves: naming a colleague for what they did well is
not blame. With the model they are left to the analysis; without it (the model could
not be loaded: ``tal.journal.language``), they count only in a sentence that also
carries a word of failing (``FAILING``).

Overlapping passages of one sentence are merged into one flag. The review of a
5,000-character entry takes well under 200 ms once the model is loaded
(``benchmarks/bench_wording.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tal.journal import language, rewording
from tal.journal.blame import Finding, find_blame, sentence_spans
from tal.journal.lexicon import fold

__all__ = ["Flag", "MAX_TEXT", "as_dict", "review", "review_in_thread"]

# Longer texts are reviewed on their first MAX_TEXT characters (form fields are shorter).
MAX_TEXT = 100_000
_PERSON_PATTERNS = ("individu", "nom")

# Words of failing, for the patterns' fallback: a person named in the same sentence is blamed.
FAILING = re.compile(
    r"\b(?:oubli\w*|bacl\w*|neglig\w*|omis|omet\w*|rate|loupe|egare\w*|perdu\w*|trompe\w*|mal\s+\w+|mauvais\w*"
    r"|n'(?:a|ont|avait|avaient)\s+(?:pas|jamais|rien)|ne\s+\w+\s+(?:pas|jamais)|aurai[st]?\s+(?:du|pu)"
    r"|auraient\s+(?:du|pu)|cense\w*|par\s+erreur|n'importe\s+comment|sans\s+(?:verifier|relire|lire|controler))",
    re.IGNORECASE,
)


# One passage: ``text[start:end] == excerpt``, in ``sentence``, with its reason and suggestion.
Flag = Finding


def as_dict(flag: Flag) -> dict[str, object]:
    """A flag as the wording contract says (DESIGN.md, « Wording review »)."""
    return {"start": flag.start, "end": flag.end, "excerpt": flag.excerpt, "reason": flag.reason,
            "suggestion": flag.suggestion}


@dataclass(frozen=True, slots=True)
class _Passage:
    start: int
    end: int
    reason: str
    kind: str


def _clean_names(names: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(part) for name in names if name for part in name.split() if len(part) > 1)


def _merge(passages: list[_Passage]) -> list[_Passage]:
    """Overlapping passages become one; it keeps the reason of the one that starts first."""
    merged: list[_Passage] = []
    for p in sorted(passages, key=lambda p: (p.start, -p.end)):
        if merged and p.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = _Passage(last.start, max(last.end, p.end), last.reason, last.kind)
        else:
            merged.append(p)
    return merged


def _pattern_passages(text: str, names: list[str], with_model: bool) -> list[tuple[_Passage, str]]:
    """(passage, sentence) found by the patterns. With the model, the patterns of a
    human subject are its work and the person patterns are left out; without it,
    person patterns count only in a sentence with a word of failing."""
    found = []
    for f in find_blame(text, names, subjects=not with_model):
        if f.key in _PERSON_PATTERNS and (with_model or not FAILING.search(fold(f.sentence))):
            continue
        found.append((_Passage(f.start, f.end, f.reason, f.key), f.sentence))
    return found


def _review_with_model(nlp, text: str, names: list[str]) -> list[Flag]:
    from tal.journal.analysis import analyse, is_person, may_blame

    known = _clean_names(names)
    spans = []
    for a, b in sentence_spans(text):
        piece = text[a:b]
        stripped = piece.lstrip()
        if stripped.strip():
            spans.append((a + len(piece) - len(stripped), stripped.rstrip()))
    patterns = _pattern_passages(text, names, with_model=True)
    flagged = {p.start for p, _ in patterns}
    # Only the sentences that may blame (or that a pattern flags) are analysed.
    analysed = [(o, s) for o, s in spans
                if may_blame(s, known) or any(o <= start < o + len(s) for start in flagged)]
    with language.analysis_lock:
        docs = list(nlp.pipe(s for _, s in analysed))
    flags: list[Flag] = []
    for (offset, sentence_text), doc in zip(analysed, docs):
        sentence = doc[:]
        hits = analyse(sentence, known)
        passages = []
        for hit in hits:
            tokens = [t for i in hit.people for t in _mention(doc[i])] + [doc[i] for i in hit.cue]
            start = offset + min(t.idx for t in tokens)
            end = offset + max(t.idx + len(t.text) for t in tokens)
            passages.append(_Passage(start, end, hit.reason, hit.kind))
        passages += [p for p, _ in patterns if offset <= p.start < offset + len(sentence_text)]
        if not passages:
            continue
        if hits:
            suggestion = rewording.suggest(sentence, hits, known)
        else:
            people = known | {fold(t.text) for t in sentence if is_person(t, known) and t.pos_ != "PRON"}
            suggestion = rewording.suggest_plain(sentence_text, people, _kind_of(passages))
        flags += [Flag(p.start, p.end, text[p.start:p.end], sentence_text, p.reason, suggestion, p.kind)
                  for p in _merge(passages)]
    return flags


def _mention(token) -> list:
    """The words of a person's mention: « La secrétaire », « Mme Lefèvre »."""
    words = [token] + [c for c in token.children if c.i < token.i and c.dep_ in ("det", "amod", "nummod")]
    words += [c for c in token.children if c.dep_ == "flat:name"]
    if token.dep_ == "flat:name":
        words.append(token.head)
    return words


def _kind_of(passages: list[_Passage]) -> str:
    kinds = {p.kind for p in passages}
    for kind, keys in (("hindsight", {"rétrospectif", "hindsight"}), ("omission", {"oubli", "omission"}),
                       ("judgement", {"jugement", "erreur-humaine", "savoir", "judgement"})):
        if kinds & keys:
            return kind
    return "cause"


def _person_words(sentence: str, names: frozenset[str]) -> set[str]:
    """Names and capitalised words after a title or a role: never repeated in a suggestion."""
    words = set(names)
    for m in re.finditer(r"\b(?:M\.|Mme|Mlle|(?i:monsieur|madame|l'agente?))\s+([A-ZÀ-Ý][\w-]+)", sentence):
        words.add(fold(m.group(1)))
    return words


def _review_with_patterns(text: str, names: list[str]) -> list[Flag]:
    known = _clean_names(names)
    by_sentence: dict[str, list[_Passage]] = {}
    for passage, sentence in _pattern_passages(text, names, with_model=False):
        by_sentence.setdefault(sentence, []).append(passage)
    flags = []
    for sentence, passages in by_sentence.items():
        # The capitalised words of what the patterns flagged (« L'agent Moreau ») are never repeated either.
        flagged = {fold(w) for p in passages for w in re.findall(r"[\w'-]+", text[p.start:p.end]) if w[:1].isupper()}
        suggestion = rewording.suggest_plain(sentence, _person_words(sentence, known) | flagged, _kind_of(passages))
        flags += [Flag(p.start, p.end, text[p.start:p.end], sentence, p.reason, suggestion, p.kind)
                  for p in _merge(passages)]
    return sorted(flags, key=lambda f: f.start)


def review(text: str, names: Iterable[str] = ()) -> list[Flag]:
    """The flags of ``text``, in order (see the module). Blocking: from a coroutine,
    call it in a worker thread (``review_in_thread``)."""
    if not text or not text.strip():
        return []
    text = text[:MAX_TEXT]
    names = [n for n in names if n and n.strip()]
    nlp = language.model()
    if nlp is None:
        return _review_with_patterns(text, names)
    return _review_with_model(nlp, text, names)


async def review_in_thread(texts: dict[str, str], names: Iterable[str] = ()) -> list[tuple[str, Flag]]:
    """(key, flag) for each text of ``texts``, reviewed in a worker thread."""
    import anyio.to_thread

    names = list(names)

    def run() -> list[tuple[str, Flag]]:
        return [(key, flag) for key, text in texts.items() for flag in review(text, names)]

    return await anyio.to_thread.run_sync(run)
