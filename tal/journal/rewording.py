"""A French rewording of a blaming sentence that speaks about the system, not the person.

``suggest(sentence, hits, names)`` rewrites one analysed sentence (a spaCy ``Span``):

* an action not done or done badly becomes a passive about the thing, followed by what
  the process did not catch: « Martin a oublié d'envoyer les courriers » → « Les
  courriers n'ont pas été envoyés : rien dans le processus ne signalait que cette étape
  manquait. »;
* otherwise, the words that point at the person are taken out (« à cause de Paul »,
  « par sa faute », « de Jérôme »), a cleft keeps its clause (« C'est la faute de X si
  les menus étaient faux » → « Les menus étaient faux… »), and the same kind of
  system clause closes the sentence.

The suggestion never repeats a word that designates the person: when it would, a
general sentence about the process is given instead (``GENERIC``). ``suggest_plain``
does the same without the language model (the patterns' fallback).
"""

from __future__ import annotations

import re

from tal.journal.lexicon import BAD_MANNER, CAUSE_MARKERS, CHECK_VERBS, FAULT_NOUNS, fold

OMISSION_VERBS = frozenset("oublier omettre negliger zapper louper rater ignorer".split())

COLON = "\u202f: "  # French typography: a narrow no-break space before the colon

SYSTEM_CLAUSES = {
    "omission": "rien dans le processus ne signalait que cette étape manquait",
    "hindsight": "rien dans le processus ne signalait que cette étape manquait",
    "faulty": "aucun contrôle n'a permis de repérer l'erreur à temps",
    "loss": "rien dans l'organisation ne permettait de s'en apercevoir à temps",
    "cause": "le processus en place n'a pas permis de l'éviter",
    "judgement": "les conditions de travail (charge, outils, formation) n'ont pas permis de l'éviter",
}
GENERIC = ("Une étape du processus n'a pas fonctionné comme prévu, et rien ne permettait de le repérer à temps.")

_IRREGULAR = {
    "faire": "fait", "mettre": "mis", "prendre": "pris", "transmettre": "transmis", "remettre": "remis",
    "relire": "relu", "lire": "lu", "prévenir": "prévenu", "joindre": "joint", "recevoir": "reçu", "écrire": "écrit",
    "inscrire": "inscrit", "ouvrir": "ouvert", "couvrir": "couvert", "offrir": "offert", "voir": "vu",
    "revoir": "revu", "tenir": "tenu", "venir": "venu", "omettre": "omis", "suivre": "suivi", "perdre": "perdu",
    "rendre": "rendu", "répondre": "répondu", "attendre": "attendu", "conduire": "conduit", "produire": "produit",
    "traduire": "traduit", "dire": "dit", "interdire": "interdit", "soumettre": "soumis", "admettre": "admis",
    "permettre": "permis", "comprendre": "compris", "apprendre": "appris", "reprendre": "repris",
    "surprendre": "surpris", "détruire": "détruit", "construire": "construit", "peindre": "peint",
    "éteindre": "éteint", "atteindre": "atteint", "courir": "couru", "savoir": "su", "devoir": "dû",
    "pouvoir": "pu", "vouloir": "voulu", "falloir": "fallu", "valoir": "valu", "boire": "bu", "croire": "cru",
    "plaire": "plu", "vivre": "vécu", "naître": "né", "mourir": "mort", "asseoir": "assis", "acquérir": "acquis",
    "conquérir": "conquis", "clore": "clos", "résoudre": "résolu", "exclure": "exclu", "inclure": "inclus",
}


_ARTICLES = {"son": "le", "sa": "la", "ses": "les", "leur": "le", "leurs": "les"}


def participle(infinitive: str) -> str:
    """The past participle, masculine singular, of a French infinitive."""
    verb = infinitive.lower()
    for base, part in _IRREGULAR.items():
        if verb == base or (verb.endswith(base) and len(verb) - len(base) <= 3 and base not in ("lire", "dire")):
            return verb[: len(verb) - len(base)] + part
    if verb.endswith("er"):
        return verb[:-2] + "é"
    if verb.endswith("ir"):
        return verb[:-2] + "i"
    if verb.endswith("re"):
        return verb[:-2] + "u"
    return verb


def agree(part: str, feminine: bool, plural: bool) -> str:
    if feminine and not part.endswith("e"):
        part = "due" if part == "dû" else part + "e"
    if plural and not part.endswith(("s", "x")):
        part += "s"
    return part


def _participle_of(token) -> str:
    """The masculine singular participle of the action ``token`` (an infinitive, or a
    participle the model may have read as a noun)."""
    text = token.text.lower()
    if "Part" in token.morph.get("VerbForm") or token.pos_ != "VERB":
        for ending in ("ées", "ée", "és"):
            if text.endswith(ending):
                return text[: -len(ending)] + "é"
        if text.endswith("é"):
            return text
    lemma = token.lemma_.lower()
    if not lemma.endswith(("er", "ir", "re", "oir")):
        lemma = text
    return participle(lemma)


def _features(head) -> tuple[bool, bool]:
    gender = head.morph.get("Gender")
    number = head.morph.get("Number")
    dets = [fold(c.text) for c in head.children if c.dep_ == "det"]
    feminine = "Fem" in gender or any(d in ("la", "une", "cette", "aucune", "sa") for d in dets)
    if any(d in ("le", "un", "ce", "cet", "aucun", "son") for d in dets):
        feminine = False
    plural = "Plur" in number or any(d in ("les", "des", "ces", "leurs", "ses", "plusieurs") for d in dets)
    return feminine, plural


def _text(tokens) -> str:
    """The text of tokens in document order, spaced as written."""
    tokens = sorted(tokens, key=lambda t: t.i)
    out = ""
    for n, token in enumerate(tokens):
        out += token.text
        if n + 1 < len(tokens):
            out += token.whitespace_ if tokens[n + 1].i == token.i + 1 else " "
    return out.strip()


def _finish(base: str, kind: str) -> str:
    base = re.sub(r"[ \t\r\n]+", " ", base).strip(" ,;:\u202f\u00a0-–")
    base = base.rstrip(".!?… ").strip()
    if len(base.split()) < 3:
        return GENERIC
    return base[0].upper() + base[1:] + COLON + SYSTEM_CLAUSES[kind] + "."


def _object_of(action, passive_subject: bool = False):
    deps = ("obj", "nsubj:pass") if passive_subject else ("obj",)
    objects = [c for c in action.children if c.dep_ in deps and c.pos_ != "PRON"]
    if not objects:  # « le mauvais fichier » read as an adjective, « aux familles » as its complement
        objects = [c for c in action.children if c.dep_ == "obl:arg" and not any(d.dep_ == "case" for d in c.children)]
    return objects[0] if objects else None


def _infinitive_sentence(hit, doc, people: set[int]) -> str | None:
    """« Demander avant de modifier les paramètres n'était prévu par aucune consigne. »"""
    action = doc[hit.action]
    if "Inf" not in action.morph.get("VerbForm") or any(t.i in people for t in action.subtree):
        return None
    phrase = _text(action.subtree)
    if hit.kind == "judgement":
        return phrase[0].upper() + phrase[1:] + " n'avait fait l'objet d'aucune formation ni d'aucune aide."
    return phrase[0].upper() + phrase[1:] + " n'était prévu par aucune consigne ni aucun contrôle."


def _passive(hit, doc, people: set[int]) -> str | None:
    """« X n'a pas été envoyé », « X a été mal rempli »: the action as a passive about its object."""
    if hit.action is None:
        return None
    action = doc[hit.action]
    kind = hit.kind
    lemma = fold(action.lemma_)
    if kind == "judgement":
        return _infinitive_sentence(hit, doc, people)
    if lemma == "laisser":
        after = next((c for c in action.children if c.dep_ == "xcomp"), None)
        if after is not None and fold(after.lemma_) in ("expirer", "trainer", "tomber", "deborder"):
            thing = _object_of(after, passive_subject=True) or _object_of(action)
            if thing is not None and not any(t.i in people for t in thing.subtree):
                plural = _features(thing)[1]
                return _finish(f"{_text(thing.subtree)} {'ont' if plural else 'a'} {participle(after.lemma_)}", kind)
    complements = [
        c for c in action.children
        if c.dep_ in ("obl", "obl:mod", "obl:arg", "iobj") and c.i > action.i
        and not any(t.i in people for t in c.subtree)
        and fold(c.text) not in ("erreur", "negligence", "megarde", "inadvertance", "distraction", "faute")
        and not any(fold(t.text) in ("sans",) and fold(t.head.text) in CHECK_VERBS for t in c.subtree)
    ]
    thing = _object_of(action)
    if lemma == "tromper":  # « s'est trompée de montant sur la facture » → « Une erreur de montant s'est glissée… »
        of = [t for c in action.children if c.dep_ == "obj" and c.i > action.i for t in c.subtree]
        rest = [t for c in complements for t in c.subtree]
        if any(t.i in people for t in of):
            return None
        what = ("Une erreur " + ("de " if of and fold(of[0].text) not in ("de", "d'") else "") + _text(of)).strip()
        return _finish(f"{what} s'est glissée {_text(rest)}", kind)
    if thing is None:
        return _infinitive_sentence(hit, doc, people)
    subject_tokens = {t.i: t for t in thing.subtree}
    moved = []
    for child in thing.children:
        # « une mauvaise information aux usagers », « les parents que la cantine était fermée »:
        # the complement or the completive clause goes after the participle.
        first = min(child.subtree, key=lambda t: t.i)
        completive = fold(first.text) in ("que", "qu'") and first.dep_ == "mark"
        if completive or any(fold(c.text) in ("a", "aux", "au") and c.dep_ == "case" for c in child.children):
            moved.append(child)
            for t in child.subtree:
                subject_tokens.pop(t.i, None)
    if fold(thing.text) in ("mauvais", "mauvaise"):  # « le mauvais fichier » read as an adjective
        for t in thing.subtree:
            if t.dep_ == "obl:arg" or t.head.dep_ == "obl:arg":
                subject_tokens.pop(t.i, None)
    if any(i in people for i in subject_tokens):
        return None
    feminine, plural = _features(thing)
    negative = kind in ("omission", "hindsight") and lemma not in OMISSION_VERBS
    aux = ("ont" if plural else "a") if not negative else ("n'ont pas" if plural else "n'a pas")
    first = subject_tokens[min(subject_tokens)]
    if fold(first.text) in ("aucun", "aucune"):
        aux = "n'a"
    badly = " mal" if any(fold(c.text) == "mal" for c in action.children) else ""
    part = agree(_participle_of(action), feminine, plural)
    rest = [t for c in (*moved, *complements) for t in c.subtree]
    tail = (" " + _text(rest)) if rest else ""
    subject = _text(subject_tokens.values())
    # « son travail » → « le travail »: the possessive points at the person.
    subject = re.sub(r"^(?:son|sa|ses|leur|leurs)\b", lambda m: _ARTICLES[m.group(0).lower()], subject, flags=re.I)
    return _finish(f"{subject} {aux} été{badly} {part}{tail}", kind)


def _without_people(sentence, hits, people: set[int]) -> str | None:
    """The sentence without the words that point at the person; a fault owned by the
    person becomes « un défaut d'organisation »; None when what is left has no subject."""
    doc = sentence.doc
    folded = [fold(t.text) for t in sentence]
    # « C'est la faute de X si …», « C'est à cause de X que … »: keep the clause.
    if len(folded) > 2 and folded[0] in ("c'", "ce") and folded[1] in ("est", "etait", "sera"):
        mark = next((t for t in sentence if fold(t.text) in ("si", "que", "qu'") and t.i > sentence.start + 2), None)
        if mark is not None:
            return _text(doc[mark.i + 1: sentence.end])
    drop: set[int] = set()
    replace: dict[int, str] = {}
    for hit in hits:
        # « L'erreur vient de Sandrine, qui… »: the fault, without its origin.
        verb = next((doc[c] for c in hit.cue if fold(doc[c].lemma_) in ("venir", "provenir")), None)
        if hit.kind == "cause" and verb is not None:
            subject = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubj:pass")), None)
            if subject is not None and not any(t.i in people for t in subject.subtree):
                return _text(subject.subtree) + " ne tient pas à une seule personne"
        for i in hit.people:
            token = doc[i]
            if token.dep_ in ("nsubj", "expl:subj", "nsubj:pass") and hit.kind != "cause":
                return None  # the person is the subject: nothing sensible is left
            drop |= {t.i for t in token.subtree}
        if hit.kind != "cause":
            continue
        for c in hit.cue:
            cue = doc[c]
            noun = fold(cue.lemma_)
            if noun in FAULT_NOUNS and noun != "faute":
                span = sorted(t.i for t in cue.subtree)
                cases = [fold(t.text) for t in cue.children if t.dep_ == "case"]
                drop |= set(span)
                if cue.dep_ in ("nsubj", "nsubj:pass"):
                    replace[span[0]] = "une étape manquée" if noun == "oubli" else "un défaut d'organisation"
                elif any(k in ("a", "au", "aux") for k in cases):
                    replace[span[0]] = "à un défaut d'organisation"
            elif cue.dep_ not in ("nsubj", "ROOT"):
                drop |= {t.i for t in cue.subtree} | {c}
    for first, last in _phrases(sentence, (*CAUSE_MARKERS, *BAD_MANNER)):
        drop |= set(range(first, last + 1))
    words = []
    for t in sentence:
        if t.i in replace:
            words.append(replace[t.i] + " ")
        elif t.i not in drop:
            words.append(t.text_with_ws)
    return "".join(words)


def _phrases(sentence, phrases):
    from tal.journal.analysis import _find_phrases

    return _find_phrases(sentence, phrases)


def _person_words(sentence, hits, names: frozenset[str]) -> set[str]:
    doc = sentence.doc
    words = set(names)
    for hit in hits:
        for i in hit.people:
            token = doc[i]
            words.add(fold(token.text))
            words |= {fold(t.text) for t in token.subtree if t.pos_ == "PROPN" or t.text[:1].isupper()}
    return {w for w in words if len(w) > 1 and w not in ("le", "la", "les", "l'", "de", "du")}


def is_clean(suggestion: str, person_words: set[str]) -> bool:
    words = {fold(w) for w in re.findall(r"[\w'-]+", suggestion)}
    return not (words & person_words)


def suggest(sentence, hits, names: frozenset[str] = frozenset()) -> str:
    """A rewording of ``sentence`` about the system (see the module)."""
    doc = sentence.doc
    people = {i for h in hits for i in h.people}
    person_words = _person_words(sentence, hits, names)
    ordered = sorted(hits, key=lambda h: (h.action is None, h.kind == "cause", h.kind == "faulty"))
    for hit in ordered:
        candidate = _passive(hit, doc, people)
        if candidate and candidate != GENERIC and is_clean(candidate, person_words):
            return candidate
    kind = next((h.kind for h in ordered), "cause")
    base = _without_people(sentence, hits, people)
    candidate = _finish(base, kind) if base else GENERIC
    if is_clean(candidate, person_words):
        return candidate
    return GENERIC


_PLAIN_CUTS = re.compile(
    r"\s*,?\s*\b(?:(?:a|à)\s+cause\s+(?:de|d'|du|des)|par\s+la\s+faute\s+(?:de|d'|du|des)|du\s+fait\s+(?:de|du))"
    r"\s+[^,.;:!?]*|\s*,?\s*\bpar\s+(?:sa|leur|ta|ma)\s+faute\b|\s*\bpar\s+(?:negligence|négligence|erreur)\b",
    re.IGNORECASE,
)


_CLEFT = re.compile(r"^\s*c['’](?:est|etait|était)\s+(?:de\s+)?(?:la\s+faute|sa\s+faute|a\s+cause|à\s+cause)\b.*?"
                    r"\s(?:si|que|qu['’])\s*(.+)$", re.IGNORECASE)


def suggest_plain(sentence: str, person_words: set[str], kind: str = "cause") -> str:
    """The rewording without the language model: a cleft keeps its clause (« C'est la
    faute de X si les menus étaient faux »), the cause phrases are taken out."""
    cleft = _CLEFT.match(sentence)
    base = _PLAIN_CUTS.sub("", cleft.group(1) if cleft else sentence)
    candidate = _finish(base, kind)
    return candidate if is_clean(candidate, person_words) and candidate.strip() else GENERIC
