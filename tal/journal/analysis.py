"""Who is blamed in a French sentence, read from spaCy's analysis (``fr_core_news_sm``).

``analyse(sentence, names)`` takes one sentence (a spaCy ``Span``) and returns its
``Hit``s: a person — a named entity or proper noun, one of the collectivité's account
names, a role (« le stagiaire », « la secrétaire de mairie »), a personal pronoun — who
is the subject or the cause of a failure:

* ``omission``: the subject of a verb of failing (« a oublié », « a négligé ») or of
  a duty not done (« n'a pas relu », « n'a jamais contrôlé »);
* ``faulty``: the subject of a verb done badly (« a bâclé », « s'est trompée », « a mal
  configuré », « par erreur », « n'importe comment », « le mauvais fichier », « sans
  les lire »);
* ``loss``: the subject of a loss (« a égaré », « a laissé expirer »);
* ``hindsight``: a counterfactual about the person (« aurait dû », « aurait pu »,
  « était censé », « si X avait relu… »);
* ``cause``: the person as the owner of a fault or its cause (« la faute de Martin »,
  « par sa faute », « l'oubli de Jérôme », « à cause de Paul », « vient de Mme X »);
* ``judgement``: a judgement of the person (« distrait », « ne sait pas »).

A person who is the subject of a neutral or positive act (« Martin a signalé
l'anomalie ») is not a hit; nor is the team (« nous », « on », « l'équipe »), nor a
tool (« l'outil aurait dû »), nor a passive without a person (« les courriers n'ont
pas été envoyés »). The small model mislabels some words (a participle read as a
noun, a first name as a noun): words are also read through their form
(``lemma_of``) and a bare capitalised subject counts as a name. The named entities
are not used: the recogniser mislabels first names as places and costs half the time
(``tal.journal.language`` leaves it out).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tal.i18n import N_
from tal.journal.lexicon import (
    BAD_MANNER,
    CAUSE_MARKERS,
    CHECK_VERBS,
    DUTY_VERBS,
    FAILING_VERBS,
    FAULT_NOUNS,
    JUDGEMENT_WORDS,
    LET_FAIL,
    NOT_PEOPLE,
    PERSON_PRONOUNS,
    ROLE_NOUNS,
    SUPPOSED_WORDS,
    TITLES,
    WRONG_ADJECTIVES,
    fold,
)

# Words without which ``analyse`` finds nothing (a failing, and a person): sentences
# without them are not analysed (most sentences of a blameless entry), which keeps a
# long entry's review fast.
_TRIGGER_WORDS = sorted(
    {w[:5] for w in FAILING_VERBS | JUDGEMENT_WORDS | FAULT_NOUNS | SUPPOSED_WORDS}
    | {"laiss", "sans", "mal", "ne", "n'", "si", "s'il", "aurai", "aurio", "aurie", "mauva", "faux", "fauss",
       "erron", "vien", "venai", "provien", "du a", "du au", "dus a", "due a", "dues a", "dus au", "due au"}
    | set(CAUSE_MARKERS) | set(BAD_MANNER), key=len, reverse=True)
TRIGGERS = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in _TRIGGER_WORDS) + ")")
_PERSON_WORDS = PERSON_PRONOUNS | ROLE_NOUNS | TITLES | {"son", "sa", "ses", "leur", "leurs", "qui"}
# Capitalised words that do not name anyone (at the start of a sentence, mostly).
_FUNCTION_WORDS = frozenset("""
le la les l un une des ce cet cette ces nous on par pour dans depuis en au aux a avec sans si quand lorsque apres
avant grace chaque tous toutes tout aucun aucune personne il elle ils elles c ca cela sur sous entre pendant des
lors mais et ou donc or ni car comme notre nos votre vos leur leurs mon ma mes ton ta tes d de du y
""".split())
_WORD = re.compile(r"[^\W\d_][\w'-]*")


def may_blame(sentence: str, names: frozenset[str] = frozenset()) -> bool:
    """Whether ``sentence`` has words that ``analyse`` can act on: a failing and a person
    (cheap, before parsing; ``analyse`` finds nothing in the others)."""
    if TRIGGERS.search(fold(sentence)) is None:
        return False
    for word in _WORD.findall(sentence):
        folded = fold(word)
        if folded in _PERSON_WORDS or folded in names:
            return True
        bare = folded.split("'")[-1]
        if word[:1].isupper() and bare not in _FUNCTION_WORDS and not (word.isupper() and len(word) > 1):
            return True
        if folded.startswith(("j'", "l'", "d'")) and bare in _PERSON_WORDS:
            return True
    return False


REASONS = {
    "omission": N_("reproche à une personne ce qu'elle n'a pas fait"),
    "faulty": N_("reproche à une personne la façon dont elle a travaillé"),
    "loss": N_("fait d'une personne l'auteur d'une perte"),
    "hindsight": N_("juge après coup ce qu'une personne aurait dû faire"),
    "cause": N_("désigne une personne comme cause de l'incident"),
    "judgement": N_("porte un jugement sur une personne (attention, compétence, sérieux)"),
}

OMISSION_VERBS = frozenset("oublier omettre negliger zapper louper rater ignorer bafouer enfreindre".split())
LOSS_VERBS = frozenset("egarer perdre casser endommager abimer bousiller saccager gacher saboter".split())

_PARTICIPLES = {
    "fait": "faire", "mis": "mettre", "pris": "prendre", "transmis": "transmettre", "relu": "relire", "lu": "lire",
    "prevenu": "prevenir", "joint": "joindre", "recu": "recevoir", "ecrit": "ecrire", "ouvert": "ouvrir",
    "rempli": "remplir", "saisi": "saisir", "perdu": "perdre", "repondu": "repondre", "du": "devoir",
    "pu": "pouvoir", "su": "savoir", "venu": "venir", "tenu": "tenir", "omis": "omettre", "suivi": "suivre",
}
_NEGATIONS = frozenset("ne n' pas jamais plus aucun aucune rien point guere".split())
_SUBJECTS = ("nsubj", "expl:subj")
_IMPERSONAL = frozenset("falloir agir exister".split())


@dataclass(frozen=True, slots=True)
class Hit:
    """A person blamed in a sentence: ``kind`` (see the module), the token indices (in
    the document) of the person and of the cue, and the action that was not done or
    done badly, when there is one (to reword the sentence)."""

    kind: str
    people: tuple[int, ...]
    cue: tuple[int, ...]
    action: int | None = None
    negated: bool = False

    @property
    def reason(self) -> str:
        return REASONS[self.kind]


def lemma_of(token) -> str:
    """The folded lemma, also guessed from the form when the model misreads a participle."""
    lemma = fold(token.lemma_)
    text = fold(token.text)
    if text in _PARTICIPLES:
        return _PARTICIPLES[text]
    if token.pos_ not in ("VERB", "AUX") and text.endswith(("e", "ee", "es", "ees")):
        stem = text.rstrip("s").rstrip("e")
        if stem + "er" in FAILING_VERBS | DUTY_VERBS:
            return stem + "er"
    return lemma


def _has_determiner(token) -> bool:
    return any(c.dep_ in ("det", "case") or c.pos_ == "DET" for c in token.children)


def is_person(token, names: frozenset[str]) -> bool:
    """Whether ``token`` designates a person (not the team, a tool or an organisation)."""
    text, lemma = fold(token.text), fold(token.lemma_)
    if token.dep_ == "nsubj" and text == "qui":
        return False  # resolved by people_of
    if token.pos_ == "PRON":
        return text in PERSON_PRONOUNS or text.rstrip("'") + "'" in PERSON_PRONOUNS
    if text in names and token.text[:1].isupper():  # « Petit » the colleague, not « un petit retard »
        return True
    if text in ROLE_NOUNS or lemma in ROLE_NOUNS:
        return True
    if text in TITLES and any(c.dep_ == "flat:name" for c in token.children):
        return True
    if not token.text[:1].isupper() or text in NOT_PEOPLE:
        return False
    if token.text.isupper() and len(token.text) > 1:
        return False  # an acronym: RH, DSI, SMS
    if token.pos_ == "PROPN":
        return True
    # A bare capitalised noun as subject: French common nouns take a determiner.
    return token.pos_ == "NOUN" and token.dep_ in _SUBJECTS and not _has_determiner(token)


def people_of(token, names: frozenset[str]) -> list:
    """The persons designated by a noun phrase's head (coordination and relative « qui » resolved)."""
    if fold(token.text) == "qui" and token.head.head is not token.head:
        # « Martin qui a oublié », « C'est Fatima qui a égaré »: the antecedent, which
        # the model sometimes attaches higher (« la faute de Martin qui… »).
        before = token.doc[token.i - 1] if token.i > 0 else None
        if before is not None and before.text == ",":
            before = token.doc[token.i - 2] if token.i > 1 else None
        if before is not None and is_person(before, names):
            return [before]
        return people_of(token.head.head, names)
    found = [token] if is_person(token, names) else []
    for child in token.children:
        if child.dep_ == "conj" and is_person(child, names):
            found.append(child)
    return found


def subjects(verb, names: frozenset[str]) -> list:
    """The persons who are the subject of ``verb`` (inherited through coordination and
    infinitive complements: « il a oublié de saisir »)."""
    seen = verb
    for _ in range(4):
        # « a rempli » read as a passive: without « être », its subject is active.
        deps = _SUBJECTS if _passive(seen) else (*_SUBJECTS, "nsubj:pass")
        found = [p for c in seen.children if c.dep_ in deps for p in people_of(c, names)]
        if found or any(c.dep_ in _SUBJECTS or c.dep_ == "nsubj:pass" for c in seen.children):
            return found
        if seen.dep_ in ("conj", "xcomp") and seen.head is not seen:
            seen = seen.head
            continue
        return []
    return []


def _noun_phrase(noun) -> list:
    """The words that complete a noun (« manque de rigueur de l'instructrice »), without
    its relative clauses."""
    found, todo = [], [c for c in noun.children]
    while todo:
        token = todo.pop()
        if token.dep_ in ("acl:relcl", "acl", "punct"):
            continue
        found.append(token)
        todo.extend(token.children)
    return found


def _negated(verb) -> bool:
    return any(fold(c.text) in _NEGATIONS for c in verb.children)


def _passive(verb) -> bool:
    return any(c.dep_ == "aux:pass" for c in verb.children)


def _agents(verb, names: frozenset[str]) -> list:
    return [p for c in verb.children if c.dep_ == "obl:agent" for p in people_of(c, names)]


def _action_after(verb):
    """The infinitive a verb governs (« oublié d'envoyer », « aurait dû vérifier »)."""
    return next((c for c in verb.children if c.dep_ in ("xcomp", "ccomp") and c.pos_ in ("VERB", "NOUN")), None)


def _clause_verb(token):
    """The verb of the clause that ``token`` belongs to."""
    for _ in range(6):
        if token.pos_ in ("VERB", "AUX") or token.dep_ in ("ROOT", "conj", "advcl", "acl:relcl", "dep"):
            return token
        token = token.head
    return token


def _words_of(sentence) -> tuple[str, list[int]]:
    """The folded sentence and, for each character, the index of its token."""
    text, owner = [], []
    for token in sentence:
        folded = fold(token.text_with_ws)
        text.append(folded)
        owner.extend([token.i] * len(folded))
    return "".join(text), owner


def _find_phrases(sentence, phrases, words: tuple[str, list[int]] | None = None) -> list[tuple[int, int]]:
    """(first token, last token) of each occurrence of the folded ``phrases`` as whole words."""
    text, owner = words or _words_of(sentence)
    found = []
    for phrase in phrases:
        start = text.find(phrase)
        while start != -1:
            end = start + len(phrase)
            before_ok = start == 0 or not text[start - 1].isalnum()
            after_ok = end >= len(text) or not text[end].isalnum() or phrase.endswith("'")
            if before_ok and after_ok:
                found.append((owner[start], owner[end - 1]))
            start = text.find(phrase, end)
    return found


def analyse(sentence, names: frozenset[str] = frozenset()) -> list[Hit]:
    """The persons blamed in ``sentence`` (a spaCy span), in order of their cue."""
    doc = sentence.doc
    hits: list[Hit] = []

    def add(kind, people, cue, action=None, negated=False):
        if people:
            hits.append(Hit(kind, tuple(p.i for p in people), tuple(cue), action, negated))

    for token in sentence:
        lemma = lemma_of(token)
        children = list(token.children)
        # Verbs of failing, active: « Martin a oublié… », « qui a égaré… »; passive with an agent.
        if lemma in FAILING_VERBS and token.dep_ != "amod":
            people = _agents(token, names) if _passive(token) else subjects(token, names)
            kind = "omission" if lemma in OMISSION_VERBS else "loss" if lemma in LOSS_VERBS else "faulty"
            add(kind, people, [token.i], _action_after(token) and _action_after(token).i or token.i)
            continue
        # « a laissé expirer », « a laissé le guichet sans surveillance »
        if lemma == "laisser" and not _passive(token):
            follows = [fold(c.text) for c in children] + [lemma_of(c) for c in children]
            if any(w in LET_FAIL for w in follows) or "sans" in (fold(t.text) for t in token.subtree):
                add("loss", subjects(token, names), [token.i], token.i)
                continue
        # A duty not done: « n'a pas relu », « ne l'a pas fait », « n'a transmis aucun… »
        if lemma in DUTY_VERBS and _negated(token) and not _passive(token):
            add("omission", subjects(token, names), [token.i], token.i, negated=True)
            continue
        # Hindsight: « aurait dû / aurait pu + infinitive », « était censé »
        if lemma in ("devoir", "pouvoir") and any(
            fold(c.lemma_) == "avoir" and "Cnd" in c.morph.get("Mood") for c in children
        ):
            action = _action_after(token)
            if action is not None and lemma_of(action) not in {"etre", "avoir"} | _IMPERSONAL and not _passive(action):
                add("hindsight", subjects(token, names), [token.i], action.i)
                continue
        if fold(token.text) in SUPPOSED_WORDS:
            action = _action_after(token)
            add("hindsight", subjects(token, names), [token.i], action.i if action is not None else None)
            continue
        # « Si Camille avait relu le courrier, … »
        if any(fold(c.text) == "si" and c.dep_ == "mark" for c in children) and any(
            fold(c.lemma_) == "avoir" and "Imp" in c.morph.get("Tense") for c in children
        ):
            add("hindsight", subjects(token, names), [token.i], token.i)
            continue
        # Competence: « ne sait pas » (present tense; « ne savait pas que » describes the situation).
        if lemma == "savoir" and _negated(token) and "Pres" in token.morph.get("Tense"):
            action = _action_after(token)
            add("judgement", subjects(token, names), [token.i], action.i if action is not None else None)
            continue
        # Judgements of a person: « distrait », « étourdi » (other words are the patterns' work).
        if fold(token.text) in JUDGEMENT_WORDS and token.pos_ in ("ADJ", "NOUN"):
            people = subjects(token, names) or (people_of(token.head, names) if token.dep_ == "amod" else [])
            add("judgement", people, [token.i])
            continue
        # Done badly: « a mal configuré », « le mauvais fichier »
        if token.pos_ in ("VERB", "AUX", "NOUN", "ADJ") and token.dep_ not in ("amod", "det"):
            badly = any(fold(c.text) == "mal" and c.dep_ == "advmod" for c in children)
            wrong = any(
                c.dep_ in ("obj", "obl:arg", "dep")
                and any(fold(a.text) in WRONG_ADJECTIVES for a in (c, *c.children))
                for c in children
            )
            if (badly or wrong) and not _passive(token):
                add("faulty", subjects(token, names), [token.i], token.i)
                continue
        # Faults owned by a person: « la faute de Martin », « par sa faute », « l'oubli de Jérôme »
        # (« Ce n'est pas de sa faute » clears the person.)
        if (fold(token.lemma_) in FAULT_NOUNS or fold(token.text) in FAULT_NOUNS) and not _negated(token):
            owners = [p for d in _noun_phrase(token) if d.dep_ in ("nmod", "conj") for p in people_of(d, names)]
            possessive = [c for c in children if "Yes" in c.morph.get("Poss")]
            if owners:
                add("cause", owners, [token.i], None)
            elif possessive:
                hits.append(Hit("cause", tuple(c.i for c in possessive), (token.i,)))

    # Phrases: « à cause de PERSON », « par erreur », « n'importe comment », « sans les lire »
    words = _words_of(sentence)
    for first, last in _find_phrases(sentence, CAUSE_MARKERS, words):
        target = next((t for t in doc[last + 1: sentence.end] if t.pos_ not in ("DET", "ADJ", "ADP")), None)
        if target is not None and (people := people_of(target, names)):
            add("cause", people, range(first, last + 1))
    for first, last in _find_phrases(sentence, BAD_MANNER, words):
        verb = doc[first]
        while first <= verb.i <= last and verb.head is not verb:
            verb = verb.head
        verb = _clause_verb(verb)
        add("faulty", subjects(verb, names) or _agents(verb, names), range(first, last + 1), verb.i)
    for first, _last in _find_phrases(sentence, ("sans",), words):
        following = [t for t in doc[first + 1: min(first + 4, sentence.end)]]
        check = next((t for t in following if fold(t.text) in CHECK_VERBS), None)
        if check is not None:
            verb = _clause_verb(doc[first].head)
            add("faulty", subjects(verb, names), range(first, check.i + 1), verb.i)
    # « L'erreur vient de Mme Lefèvre », « les retards sont dus à Paul »
    for token in sentence:
        if fold(token.lemma_) in ("venir", "devoir", "provenir") and token.pos_ in ("VERB", "ADJ"):
            for child in token.children:
                if child.dep_ in ("obl:arg", "obl", "obl:mod") and (people := people_of(child, names)):
                    add("cause", people, [token.i])
    return sorted(set(hits), key=lambda h: (min(h.cue), h.kind))
