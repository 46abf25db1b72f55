"""Blame language in French post-incident entries, for a blameless journal.

``find_blame(text, names)`` returns the passages of ``text`` that blame a person
rather than describe the system (the process, the tools, the information that was
available), each with a French reason and a French rewording hint. It is a writing
aid, not a censor: it favours precision over recall, and the author decides.

Matching is case- and accent-insensitive: the patterns run, ignoring case, on a
normalised copy of the text (NFKD without combining marks, typographic apostrophes
made straight, spaces made plain) and every offset is mapped back to the original
text. Case is kept in the copy only so that a few patterns can require a proper noun
(a capitalised word, not a short all-capitals acronym such as « RH » or « DSI »).

BLAME_PATTERNS
--------------
Each entry of ``BLAME_PATTERNS`` has a ``key``, a ``description`` and the French
``reason`` and ``suggestion`` shown to the author. In the descriptions, PERSON
stands for a human subject (see below).

``faute``
    « la faute de / à / au / du / des … », « c'est (de) sa faute », « par sa faute »,
    « par la faute de ». Not « la faute de frappe / de saisie / d'orthographe … »,
    nor « la faute a été corrigée » (verb « avoir », not « à »), nor « ce n'est
    pas (de) sa faute », which clears a person.
``rétrospectif``
    A counterfactual about a person: « aurait dû / aurait pu / auraient dû /
    aurais dû … » whose subject is PERSON, and « (il) aurait fallu que / qu' PERSON ».
``erreur-humaine``
    « erreur(s) humaine(s) », « faute humaine ». Not « erreur de saisie ».
``travail``
    « n'a pas fait son travail », « ne fait pas son boulot », … except right after
    a non-human subject (« le filtre n'a pas fait son travail »).
``jugement``
    Judgements of a person's character or competence: « négligence »,
    « par négligence », « négligent(e)(s) », « incompétent(e)(s) », « incompétence »,
    « inattention », « inattentif », « manque d'attention / de rigueur /
    de sérieux / de vigilance / de professionnalisme », « étourderie »,
    « imprudence », « laxisme », « paresse ».
``oubli``
    PERSON « a / avait / ont oublié … », « l'oubli de » PERSON.
``mal-fait``
    « a mal fait », « ont mal fait », « a mal travaillé », except right after a
    non-human subject (« le script a mal fait le calcul »).
``savoir``
    PERSON « ne sait pas / ne savent pas / ne sait rien » (present tense: a
    judgement of competence). « ne savait pas que … » is *not* flagged: saying what
    a person did not know at the time is exactly what a blameless entry should do.
``coupable``
    « coupable(s) », « fautif / fautive », « responsable(s) de l'erreur / de la
    faute / de l'oubli », « est / était / sont … responsable(s) de l'incident /
    du problème / de la panne … ».
``à-cause-de``
    « à cause de » followed by a person: « M. / Mme / Madame / Monsieur »,
    « l'agent(e) », « le / la stagiaire », « le / la collègue », « son chef »,
    « sa cheffe », « le / la responsable », … or « à cause de lui / d'elle / d'eux ».
``individu``
    A title pointing at one individual: « l'agent X », « l'agente Dupont » (title
    followed by a capitalised word that is not a short acronym such as « RH »),
    « le / la stagiaire », « l'alternant(e) », « l'apprenti(e) »,
    « M. Dupont », « Mme Martin », « Mlle … », « Monsieur / Madame » + capitalised
    name, « le / la responsable du service X » followed by a comma or a bracket and
    a person's name or title, or by « lui-même / elle-même / en personne ».
    General or plural roles (« les agents d'accueil ont été formés »,
    « l'agent d'accueil », « Madame la maire ») are not flagged.
``nom``
    Any of the ``names`` passed by the caller, as whole words (a hyphen joins words:
    « Jean » is not found in « Jean-Pierre »), case- and accent-insensitive.

PERSON, the rule for « aurait dû »
----------------------------------
A counterfactual (« aurait dû », « aurait pu », « auraient dû », « il aurait fallu
que … ») is flagged only when its subject, in the same clause, is human:

* a personal pronoun: je / j', tu, il, elle, on, nous, vous, ils, elles,
  or celui-ci, celle-ci, ceux-ci, celles-ci, quelqu'un;
* a noun phrase for a person or group of people, with any determiner
  (l', le, la, les, un, une, des, son, sa, ses, leur, ce, cette …): agent(e),
  stagiaire, alternant(e), apprenti(e), collègue, chef(fe), responsable,
  opérateur / opératrice, technicien(ne), instructeur / instructrice,
  gestionnaire, employé(e), secrétaire, développeur / développeuse,
  administrateur / administratrice, utilisateur / utilisatrice, usager(ère),
  optionally followed by a complement (« l'agent d'accueil », « le responsable du
  service informatique ») or a name (« l'agent Dupont »), and optionally by
  « qui » (« l'agent qui aurait dû »);
* a title and a name (« M. Dupont », « Madame Martin »), or one of ``names``.

The subject must directly precede the verb, except for an aside between commas
(« L'agent, pressé par le temps, aurait dû … »), negation (« n'aurait pas dû ») and
object pronouns (« elle l'aurait vu »). A subject introduced by « de / d' / du » is
a complement, not the subject (« l'outil de l'agent aurait dû »).

So « L'outil aurait dû envoyer une alerte », « la procédure aurait dû prévoir une
relecture », « le service aurait dû … » and « l'équipe aurait dû … » (organisations,
not individuals) are not flagged. Nor are impersonal or passive uses:
« il aurait dû y avoir une alerte », « il aurait pu s'agir de … », « elle aurait pu
être évitée » (« être » + a participle such as évité, détecté, prévenu, informé,
formé, averti, alerté …), and « il aurait du mal / du temps … » (partitive « du »).

Overlapping matches are merged: the longest wins (« à cause de M. Dupont » is one
finding, not two).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from tal.i18n import N_

__all__ = ["BLAME_PATTERNS", "BlamePattern", "Finding", "find_blame", "normalise_with_offsets"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One blaming passage: ``text[start:end] == excerpt``."""

    start: int
    end: int
    excerpt: str
    sentence: str
    reason: str
    suggestion: str
    key: str = ""


@dataclass(frozen=True, slots=True)
class BlamePattern:
    key: str
    description: str
    reason: str
    suggestion: str
    # Regular expression sources on the normalised text, matched ignoring case;
    # "{subject}", "{person}" and "{noun}" are replaced by the human subject, the
    # person (noun phrase, title and name, or known name) and person-noun alternatives.
    sources: tuple[str, ...]
    # Not flagged right after a non-human subject (« le script a mal fait … »).
    unless_system_subject: bool = False


# --- Normalisation ---------------------------------------------------------------

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
                              "\u2032": "'"})


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """Accent-free copy of ``text`` (case kept) and, for each of its characters,
    the index of the original character it comes from."""
    out: list[str] = []
    origin: list[int] = []
    for i, char in enumerate(text):
        for d in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(d):
                continue
            c = d.translate(_APOSTROPHES)
            if c.isspace():
                c = "\n" if c in "\n\r" else " "
            out.append(c)
            origin.append(i)
    return "".join(out), origin


def _norm(text: str) -> str:
    return normalise_with_offsets(text)[0]


# --- Building blocks (on normalised text) ----------------------------------------

_W = r"[^\W\d_][\w-]*"  # a word
# A proper noun: capitalised, and not a short all-capitals acronym (« l'agent RH »).
_CAP = r"(?-i:(?![A-Z]{2,5}\b)[A-Z][\w-]*)"
_PRONOUNS = r"(?:je|tu|il|elle|on|nous|vous|ils|elles|celui-ci|celle-ci|ceux-ci|celles-ci|quelqu'un)"
_DETERMINERS = (r"(?:l'|le\s+|la\s+|les\s+|un\s+|une\s+|des\s+|son\s+|sa\s+|ses\s+|leur\s+|leurs\s+|ce\s+"
                r"|cet\s+|cette\s+|ces\s+|notre\s+|nos\s+|votre\s+|vos\s+|mon\s+|ma\s+|mes\s+)")
_PERSON_NOUNS = (
    r"(?:agente?s?|stagiaires?|alternante?s?|apprentie?s?|collegues?|chef(?:fe)?s?|responsables?"
    r"|operat(?:eur|rice)s?|technicien(?:ne)?s?|instruct(?:eur|rice)s?|gestionnaires?|employee?s?"
    r"|secretaires?|developpeu(?:r|se)s?|administrat(?:eur|rice)s?|utilisat(?:eur|rice)s?|usager(?:e)?s?)"
)
# « l'agent d'accueil », « le responsable du service informatique », « l'agent Dupont »
_COMPLEMENT = rf"(?:\s+(?:d'|de\s+l'|de\s+la\s+|du\s+|des\s+|de\s+)\s*{_W}(?:\s+{_W})?|\s+{_CAP}(?:\s+{_CAP})?)?"
_PERSON_NP = rf"{_DETERMINERS}{_PERSON_NOUNS}\b{_COMPLEMENT}"
_TITLE = r"(?:(?<![\w.])(?-i:M)\.|\b(?:mr|mme|mlle)\b\.?|\b(?:madame|monsieur)\b)"
_TITLED_NAME = rf"{_TITLE}\s*(?:{_CAP}(?:\s+{_CAP})?|(?:le|la)\s+{_W})"
_NOT_COMPLEMENT = r"(?<!\bde )(?<!\bd')(?<!\bdu )(?<!\bdes )"
_ASIDE = r"(?:\s*,[^,.;:!?\n]{1,60},)?"
_OBJECT_PRONOUNS = (r"(?:(?:l'|le\s+|la\s+|les\s+|lui\s+|leur\s+|y\s+|en\s+|se\s+|s'|me\s+|m'|te\s+|t'"
                    r"|nous\s+|vous\s+)\s*)?")
_NEGATION = r"(?:ne\s+|n')?"
_ADVERBS = (r"(?:(?:pas|jamais|plus|donc|alors|simplement|tout\s+simplement|peut-etre|sans\s+doute|certainement"
            r"|vraiment|bien|mieux|au\s+moins|normalement|logiquement|evidemment|clairement|encore"
            r"|completement|juste|probablement|visiblement|manifestement|meme|toujours|absolument)\s+)*")
# Passive participles after « être »: the subject undergoes, it does not act.
_PASSIVE = (r"etre\s+(?:evit|detect|prevenu|inform|form|averti|alert|signal|corrig|bloqu|verifi|relu|controle"
            r"|accompagn|aid|epaul|remplac|prevu|anticip|identifi|repar|traite|rappel)\w*")
_NOT_IMPERSONAL = (r"(?!\s+(?:y\s+avoir|y\s+en\s+avoir|s'agir|se\s+produire|arriver|advenir|exister|" + _PASSIVE
                   + r"|(?:mal|temps|retard|travail|recul|succes|sens|monde|courage|soutien|renfort|repos|personnel"
                     r"|credit|nouveau|pain|bon)\b))")

_TYPO_NOUNS = (r"(?:frappe|saisie|orthographe|grammaire|typographie|typo|conjugaison|accord|francais|syntaxe"
               r"|calcul|copie|recopie|gout|style|temps|mieux|moyens?|budget|carre)")


def _subject(person: str) -> str:
    """A human subject followed by what may stand between it and its verb."""
    return (
        rf"(?:\b{_PRONOUNS}\s+|\bj'|{_NOT_COMPLEMENT}(?:{person}){_ASIDE}\s+(?:qui\s+)?)"
    )


_REASON_FAULT = N_("attribue la faute à une personne")
_HINT_SYSTEM = ("Décrivez ce qui, dans le processus, l'outil ou l'information disponible, "
                "a rendu l'erreur possible.")
_HINT_ROLE = ("Parlez du rôle en général (« un agent d'accueil », « l'équipe ») plutôt que d'une personne "
              "identifiable, et décrivez la situation dans laquelle elle se trouvait.")

BLAME_PATTERNS: tuple[BlamePattern, ...] = (
    BlamePattern(
        "faute",
        "« la faute de / à / du », « c'est de sa faute », « par sa faute »",
        _REASON_FAULT,
        _HINT_SYSTEM,
        (
            rf"\b(?:par\s+)?la\s+faute\s+(?:de\s+|d'|du\s+|des\s+|au\s+|aux\s+|a\s+)(?!{_TYPO_NOUNS}\b)"
            r"(?!(?:ete|eu|pu|du|fait|permis|entraine|cause|provoque|conduit|mene|genere|engendre|bloque"
            r"|empeche|declenche|probablement|sans|peut-etre|vite|rapidement|finalement|ensuite)\b)",
            # « ce n'est pas (de) sa faute » clears a person: not flagged.
            r"(?<!\bpas )(?<!\bpas de )(?<!\bpas par )(?<!\brien )(?<!\brien de )(?<!\bnullement )"
            r"(?<!\bnullement de )"
            rf"\b(?:(?:c'est|c'etait|ce\s+serait)\s+)?(?:de\s+|par\s+)?"
            rf"(?:sa|leur|ta|ma|votre|notre)\s+faute\b(?!\s+(?:de\s+|d'){_TYPO_NOUNS}\b)",
        ),
    ),
    BlamePattern(
        "rétrospectif",
        "PERSON « aurait dû / aurait pu / auraient dû », « il aurait fallu que » PERSON",
        N_("juge après coup ce qu'une personne aurait dû faire"),
        ("Décrivez ce que la personne savait et voyait à ce moment-là, et ce qui, dans la situation, "
         "rendait une autre action difficile ou peu visible."),
        (
            rf"{{subject}}{_NEGATION}{_OBJECT_PRONOUNS}aur(?:ais|ait|ions|iez|aient)\s+{_ADVERBS}(?:du|pu)(?!\w)"
            + _NOT_IMPERSONAL,
            rf"\b(?:il\s+)?(?:aurait|aurais|avait)\s+fallu\s+qu(?:'|e\s+)(?:{_PRONOUNS}\b|{{person}})",
        ),
    ),
    BlamePattern(
        "erreur-humaine",
        "« erreur humaine »",
        N_("conclut à une « erreur humaine » sans dire ce qui l'a rendue possible"),
        ("Cherchez les conditions qui ont rendu l'erreur probable : charge de travail, interface, "
         "consignes, délais, information disponible."),
        (r"\b(?:erreur|faute|defaillance)s?\s+humaines?\b",),
    ),
    BlamePattern(
        "travail",
        "« n'a pas fait son travail »",
        N_("met en cause le travail d'une personne"),
        ("Décrivez ce qui était attendu, comment cela avait été communiqué et ce qui a empêché "
         "de le faire."),
        (
            r"\b(?:n'|ne\s+)(?:a|ont|avait|avaient|aurait|fait|font|faisait|faisaient)\s+(?:pas|jamais|plus)\s+"
            r"(?:fait\s+)?(?:correctement\s+|bien\s+|serieusement\s+)?(?:son|sa|leur|ses|leurs)\s+"
            r"(?:travail|boulot|job|mission|taf|metier)\b",
        ),
        unless_system_subject=True,
    ),
    BlamePattern(
        "jugement",
        "« négligence », « négligent », « incompétent », « inattention », « manque d'attention »…",
        N_("porte un jugement sur une personne (attention, compétence, sérieux)"),
        ("Décrivez les faits et les conditions de travail (charge, interruptions, outils, formation) "
         "plutôt que les qualités d'une personne."),
        (
            r"\b(?:par\s+)?negligen(?:ce|t|te|ts|tes)s?\b",
            r"\bincompeten(?:ce|t|te|ts|tes)s?\b",
            r"\binattenti(?:on|f|ve|fs|ves)s?\b",
            r"\bmanques?\s+(?:d'attention|de\s+rigueur|de\s+serieux|de\s+vigilance|de\s+professionnalisme"
            r"|de\s+conscience\s+professionnelle|de\s+soin|de\s+concentration)\b",
            r"\b(?:etourderies?|imprudences?|laxisme|laxiste|paresse|paresseux|paresseuse|je-m'en-foutisme)\b",
        ),
    ),
    BlamePattern(
        "oubli",
        "PERSON « a oublié », « l'oubli de » PERSON",
        N_("reproche un oubli à une personne"),
        ("Décrivez ce qui aurait pu rappeler l'étape au bon moment : liste de contrôle, alerte, "
         "relecture, outil."),
        (
            rf"{{subject}}(?:l'|les\s+|en\s+|y\s+)?(?:a|ont|avait|avaient|aurait|auraient)\s+{_ADVERBS}"
            r"oubliee?s?\b",
            rf"\boublis?\s+(?:(?:de\s+|d')(?:{{person}})|(?:du|des)\s+{{noun}})",
        ),
    ),
    BlamePattern(
        "mal-fait",
        "« a mal fait », « ont mal travaillé »",
        N_("juge la qualité du travail d'une personne"),
        ("Décrivez ce qui a été fait, ce qui était attendu et ce qui a rendu l'écart possible "
         "(consignes, outil, délais)."),
        (r"\b(?:a|ont|avait|avaient|aurait|auraient)\s+(?:(?:vraiment|tres|completement|encore)\s+)?mal\s+"
         r"(?:fait|travaille)\b",),
        unless_system_subject=True,
    ),
    BlamePattern(
        "savoir",
        "PERSON « ne sait pas »",
        N_("met en cause les connaissances d'une personne"),
        ("Décrivez l'information, la formation ou l'aide dont la personne disposait à ce moment-là."),
        (rf"{{subject}}(?:ne\s+|n')(?:sait|savent|sais)\s+{_ADVERBS}(?:pas|rien|jamais)\b",),
    ),
    BlamePattern(
        "coupable",
        "« coupable », « fautif », « responsable de l'erreur »",
        N_("désigne un responsable ou un coupable"),
        ("Un incident a presque toujours plusieurs causes : décrivez les facteurs qui y ont contribué "
         "plutôt qu'un responsable."),
        (
            r"\bcoupables?\b",
            r"\bfauti(?:f|ve|fs|ves)\b",
            r"\bresponsables?\s+(?:de\s+l'|de\s+la\s+|de\s+cette\s+|de\s+cet\s+|de\s+ces\s+|de\s+son\s+"
            r"|de\s+sa\s+|de\s+leur\s+|des\s+|de\s+)(?:erreur|faute|oubli|negligence|betise|boulette)s?\b",
            r"\b(?:est|sont|etait|etaient|a\s+ete|ont\s+ete|serait|seraient|soit|soient|etre)\s+"
            r"(?:(?:le|la|les|seule?s?|entierement|directement|en\s+partie|totalement|pleinement|bien)\s+)*"
            r"responsables?\s+(?:de\s+l'|de\s+la\s+|de\s+cette\s+|de\s+cet\s+|du\s+|des\s+|de\s+ce\s+)"
            r"(?:incident|probleme|panne|bug|retard|fuite|accident|dysfonctionnement|perte|erreur)s?\b",
        ),
    ),
    BlamePattern(
        "à-cause-de",
        "« à cause de » suivi d'une personne (M., Mme, l'agent, le stagiaire, son chef…)",
        N_("désigne une personne comme cause de l'incident"),
        ("Décrivez l'enchaînement des événements et les conditions qui l'ont permis, sans désigner "
         "de personne."),
        (
            rf"\ba\s+cause\s+(?:(?:de\s+|d')(?:{{person}})|(?:du|des)\s+{{noun}})",
            r"\ba\s+cause\s+(?:de\s+lui|d'elle|d'eux|d'elles|de\s+celui-ci|de\s+celle-ci)\b",
        ),
    ),
    BlamePattern(
        "individu",
        ("« l'agent X », « le stagiaire », « M. Dupont », « Madame Martin », "
         "« le responsable du service X, Jean Dupont »"),
        N_("désigne une personne en particulier"),
        _HINT_ROLE,
        (
            # Title + capitalised name (the capitalisation is checked on the original text).
            rf"(?:(?<![\w.])(?-i:M)\.|\b(?-i:Mr|Mme|Mlle|MM)\b\.?)\s*{_CAP}(?:\s+{_CAP})?",
            rf"\b(?:madame|monsieur)\s+{_CAP}(?:\s+{_CAP})?",
            rf"\bl'(?:agente?|alternante?|apprentie?|operat(?:eur|rice)|employee?)\s+{_CAP}(?:\s+{_CAP})?",
            r"\b(?:le|la|ce|cette|notre|votre)\s+stagiaire\b",
            r"\bl'(?:alternante?|apprentie?)\b",
            rf"\b(?:le|la)\s+responsable\s+(?:du\s+|de\s+la\s+|de\s+l'|des\s+|d')\s*{_W}(?:\s+{_W}){{0,3}}?"
            rf"\s*[,(–-]\s*(?:{_TITLED_NAME}|{_CAP}\s+{_CAP})",
            rf"\b(?:le|la)\s+responsable\s+(?:du\s+|de\s+la\s+|de\s+l'|des\s+|d')\s*{_W}(?:\s+{_W}){{0,3}}?"
            r"\s*,?\s+(?:lui-meme|elle-meme|en\s+personne)\b",
        ),
    ),
)

_SYSTEM_SUBJECT_BEFORE = re.compile(
    r"\b(?:l'|le\s+|la\s+|les\s+|ce\s+|cet\s+|cette\s+|ces\s+|notre\s+|nos\s+)"
    r"(?:outil|logiciel|script|procedure|filtre|systeme|programme|application|formulaire|serveur|processus"
    r"|controle|regle|alerte|tableau\s+de\s+bord|automate|robot|machine|module|traitement|tache|batch"
    r"|connecteur|interface|plateforme|site|base|sauvegarde|antivirus|pare-feu|verification|relecture)s?"
    r"\s+$",
    re.IGNORECASE,
)

_NAME_PATTERN = BlamePattern(
    "nom",
    "un des noms de personnes connus de l'application",
    N_("cite le nom d'une personne"),
    _HINT_ROLE,
    (),
)


@lru_cache(maxsize=64)
def _compiled(names: tuple[str, ...], subjects: bool = True) -> tuple[tuple[BlamePattern, re.Pattern[str]], ...]:
    name_alternatives = [r"\s+".join(re.escape(part) for part in name.split()) for name in names]
    person = "|".join([_PERSON_NP, _TITLED_NAME, *[rf"(?<![\w-]){n}(?![\w-])" for n in name_alternatives]])
    subject = _subject(person)
    noun = rf"{_PERSON_NOUNS}\b{_COMPLEMENT}"
    compiled = []
    for pattern in BLAME_PATTERNS:
        for source in pattern.sources:
            if not subjects and "{subject}" in source:
                continue
            expanded = source.replace("{subject}", subject).replace("{person}", person).replace("{noun}", noun)
            compiled.append((pattern, re.compile(expanded, re.IGNORECASE)))
    if name_alternatives:
        regex = re.compile(r"(?<![\w-])(?:" + "|".join(name_alternatives) + r")(?![\w-])", re.IGNORECASE)
        compiled.append((_NAME_PATTERN, regex))
    return tuple(compiled)


def _clean_names(names: Iterable[str]) -> tuple[str, ...]:
    cleaned = {" ".join(_norm(n).lower().split()) for n in names if n and n.strip()}
    # Longest first, so that « Jean Dupont » wins over « Jean ».
    return tuple(sorted((n for n in cleaned if len(n) >= 2), key=lambda n: (-len(n), n)))


# --- Sentences -------------------------------------------------------------------

_ABBREVIATIONS = {"m", "mm", "mme", "mmes", "mlle", "mlles", "mr", "dr", "me", "pr", "st", "ste", "cf", "ex",
                  "p", "pp", "env", "art", "al", "no", "n°", "vol", "chap", "fig", "tel", "av", "bd"}
_SENTENCE_END = re.compile(r"[.!?…]+[\"»”’')\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"([\w°]+)\s*$")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``: ends of sentences (not after an
    abbreviation such as « M. ») and line breaks."""
    cuts = [0]
    for m in _SENTENCE_END.finditer(text):
        if text[m.start()] == ".":
            before = _WORD_BEFORE.search(text, max(0, m.start() - 12), m.start())
            if before:
                word = before.group(1)
                if word.casefold() in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                    continue
        cuts.append(m.end())
    for m in re.finditer(r"\n", text):
        cuts.append(m.end())
    cuts.append(len(text))
    cuts = sorted(set(cuts))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _sentence_of(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    first = next((a for a, b in spans if a <= start < b), 0)
    last = next((b for a, b in spans if a < end <= b), len(text))
    return text[first:last].strip()


# --- Search ----------------------------------------------------------------------


def _original_end(norm_end: int, origin: list[int], text_length: int) -> int:
    if norm_end <= 0:
        return 0
    after_last = origin[norm_end - 1] + 1
    if norm_end < len(origin):
        return max(origin[norm_end], after_last)
    return text_length


def find_blame(text: str, names: Iterable[str] = (), subjects: bool = True) -> list[Finding]:
    """The passages of ``text`` that blame a person, in order of position. With
    ``subjects=False``, the patterns that look for a human subject before a verb
    (« il aurait dû », « elle a oublié », « il ne sait pas ») are left out: the
    language analysis (``tal.journal.analysis``) finds those, and they are the slow ones."""
    if not text or not text.strip():
        return []
    normalised, origin = normalise_with_offsets(text)
    candidates: list[tuple[int, int, int, BlamePattern]] = []
    for priority, (pattern, regex) in enumerate(_compiled(_clean_names(names), subjects)):
        for match in regex.finditer(normalised):
            if pattern.unless_system_subject and _SYSTEM_SUBJECT_BEFORE.search(
                normalised, max(0, match.start() - 40), match.start()
            ):
                continue
            if match.end() == match.start():
                continue
            n_start, n_end = match.start(), match.end()
            # Trailing spaces may close a match; they are not part of the excerpt.
            while n_end > n_start and normalised[n_end - 1].isspace():
                n_end -= 1
            start, end = origin[n_start], _original_end(n_end, origin, len(text))
            candidates.append((start, end, priority, pattern))
    # The longest match wins over the matches it overlaps.
    kept: list[tuple[int, int, int, BlamePattern]] = []
    for cand in sorted(candidates, key=lambda c: (-(c[1] - c[0]), c[0], c[2])):
        if all(cand[1] <= k[0] or cand[0] >= k[1] for k in kept):
            kept.append(cand)
    spans = sentence_spans(text) if kept else []
    return [
        Finding(
            start=start,
            end=end,
            excerpt=text[start:end],
            sentence=_sentence_of(text, spans, start, end),
            reason=pattern.reason,
            suggestion=pattern.suggestion,
            key=pattern.key,
        )
        for start, end, _, pattern in sorted(kept, key=lambda c: (c[0], c[1]))
    ]
