"""The blame-language detector of the journal: what it flags, what it leaves alone,
and offsets that point into the original text."""

from __future__ import annotations

import pytest

from tal.journal.blame import BLAME_PATTERNS, Finding, find_blame

NAMES = ["Claire Martin", "Kévin", "Dupont"]

# (sentence, words that must be inside one finding's excerpt)
BLAMING = [
    ("C'est la faute de Pierre si le courrier est parti en retard.", "la faute de"),
    ("Tout ça, c'est la faute à la nouvelle recrue.", "la faute à"),
    ("C'est la faute du stagiaire.", "la faute du"),
    ("C'est de sa faute : il n'a pas relu.", "sa faute"),
    ("Le dossier a été perdu par sa faute.", "par sa faute"),
    ("Il aurait dû vérifier le fichier avant l'envoi.", "Il aurait dû"),
    ("Elle aurait pu prévenir l'équipe plus tôt.", "Elle aurait pu"),
    ("Il aurait fallu qu'elle relise le courrier.", "aurait fallu qu'elle"),
    ("Les agents auraient dû signaler l'anomalie.", "auraient dû"),
    ("L'agent, pressé par le temps, n'aurait jamais dû valider ce dossier.", "n'aurait jamais dû"),
    ("L'incident est dû à une erreur humaine.", "erreur humaine"),
    ("Le prestataire n'a pas fait son travail.", "n'a pas fait son travail"),
    ("Les données ont été effacées par négligence.", "par négligence"),
    ("Une personne négligente a supprimé la table.", "négligente"),
    ("Des collègues INCOMPÉTENTS ont configuré le serveur.", "INCOMPÉTENTS"),
    ("Il y a eu de l'incompétence dans la gestion du dossier.", "incompétence"),
    ("C'est une simple inattention.", "inattention"),
    ("Un manque d'attention de l'instructeur a causé le rejet.", "manque d'attention"),
    ("Elle a oublié de mettre à jour le tableau.", "Elle a oublié"),
    ("Il a mal fait la saisie des montants.", "a mal fait"),
    ("Il ne sait pas utiliser le logiciel de paie.", "ne sait pas"),
    ("Nous avons trouvé le responsable de l'erreur.", "responsable de l'erreur"),
    ("Le coupable a été identifié.", "coupable"),
    ("Le courrier est parti à cause de Mme Leroy.", "à cause de Mme Leroy"),
    ("Tout a été bloqué à cause du stagiaire.", "à cause du stagiaire"),
    ("Le rejet est arrivé à cause de son chef.", "à cause de son chef"),
    ("Le dossier est revenu à cause de la collègue de l'accueil.", "à cause de la collègue"),
    ("L'agent Moreau a validé la demande sans pièce justificative.", "L'agent Moreau"),
    ("L'agente X a traité la demande.", "L'agente X"),
    ("Le stagiaire a envoyé le mauvais fichier.", "Le stagiaire"),
    ("M. Dupont a transmis la liste.", "M. Dupont"),
    ("Mme Martin a transmis la liste.", "Mme Martin"),
    ("Monsieur Bernard a transmis la liste.", "Monsieur Bernard"),
    ("Le responsable du service informatique, Jean Petit, a désactivé la sauvegarde.", "Jean Petit"),
    ("Kevin a supprimé le dossier partagé.", "Kevin"),  # a known name, without its accent
    ("C'EST LA FAUTE DE L'ÉQUIPE DE NUIT.", "LA FAUTE DE"),
    ("L'erreur est de la faute de l’agent d’accueil.", "la faute de"),  # typographic apostrophes
    ("Il n’aurait pas dû valider sans relecture.", "n’aurait pas dû"),
    ("Il aurait du vérifier les montants.", "aurait du"),  # accent forgotten
    ("On aurait dû prévoir une relecture.", "On aurait dû"),
    ("L'agent qui aurait dû vérifier était en congé.", "qui aurait dû"),
    ("C'est une faute humaine, rien de plus.", "faute humaine"),
    ("Elle est responsable du retard et de la panne.", "responsable du retard"),
    ("L'oubli de l'agent a bloqué la chaîne.", "oubli de l'agent"),
]

NOT_BLAMING = [
    "L'outil aurait dû envoyer une alerte.",
    "La procédure ne prévoyait pas de relecture.",
    "Le tableau de bord ne signalait pas les erreurs.",
    "Les agents d'accueil ont été formés au nouveau logiciel.",
    "L'agent d'accueil reçoit en moyenne quarante personnes par jour.",
    "Une erreur de saisie dans le logiciel a doublé le montant.",
    "Une faute de frappe s'est glissée dans l'adresse.",
    "La faute de frappe a été corrigée le lendemain.",
    "La faute a été corrigée dans la version suivante.",
    "Le logiciel aurait pu bloquer la saisie d'un montant négatif.",
    "Il aurait dû y avoir une alerte dans le tableau de bord.",
    "L'erreur aurait pu être évitée par un contrôle automatique.",
    "Elle aurait pu être détectée plus tôt avec un test.",
    "Le service aurait dû disposer d'une procédure écrite.",
    "L'agent RH a transmis la liste le lundi.",
    "Madame la maire a demandé un retour d'expérience.",
    "La consigne ne précisait pas le format attendu.",
    "L'agent ne savait pas que le fichier était vide : rien ne l'indiquait.",
    "Le fichier ne sait pas gérer les accents.",
    "Les stagiaires reçoivent une formation d'une journée.",
    "L'écart est négligeable sur l'ensemble de l'année.",
    "Le formulaire ne contrôlait pas le format des dates.",
    "Nous avons ajouté une liste de contrôle avant l'envoi.",
    "Le délai était trop court pour une double vérification.",
    "Personne n'avait été informé du changement de format.",
    "Il aurait du mal à tout vérifier seul avec ce volume.",
    "Le paramètre par défaut supprimait les lignes vides.",
    "La responsable du service a organisé un retour d'expérience.",
    "Le filtre n'a pas fait son travail : les doublons sont passés.",
    "Le script a mal fait le calcul des arrondis.",
    "Ce n'est pas de sa faute : l'écran n'affichait pas l'alerte.",
    "L'outil de l'agent aurait dû signaler le doublon.",
    "Il aurait fallu que l'outil bloque l'envoi.",
    "À cause du logiciel, la saisie a échoué.",
    "L'équipe aurait pu anticiper la hausse des demandes.",
]


@pytest.mark.parametrize(("sentence", "words"), BLAMING)
def test_blaming_sentences_are_flagged(sentence, words):
    findings = find_blame(sentence, NAMES)
    assert findings, f"nothing flagged in {sentence!r}"
    assert any(words in f.excerpt for f in findings), [f.excerpt for f in findings]
    for f in findings:
        assert sentence[f.start:f.end] == f.excerpt
        assert f.sentence == sentence
        assert f.reason and f.suggestion


@pytest.mark.parametrize("sentence", NOT_BLAMING)
def test_system_descriptions_are_not_flagged(sentence):
    assert find_blame(sentence, NAMES) == []


def test_enough_examples():
    assert len(BLAMING) >= 20 and len(NOT_BLAMING) >= 15


def test_offsets_point_into_the_original_text_with_accents_and_capitals():
    text = "Été 2024 : l’équipe a réagi vite. Ça s’est produit À CAUSE DE MONSIEUR Lefèvre, hélas."
    [finding] = find_blame(text)
    assert finding.excerpt == "À CAUSE DE MONSIEUR Lefèvre"
    assert text[finding.start:finding.end] == finding.excerpt
    assert finding.start == text.index("À CAUSE")
    assert finding.sentence == "Ça s’est produit À CAUSE DE MONSIEUR Lefèvre, hélas."
    assert finding.reason == "désigne une personne comme cause de l'incident"


def test_offsets_with_decomposed_accents_and_ligatures():
    # « é » written as e + combining accent, and a « ﬁ » ligature before the match.
    text = "Le ﬁchier e\u0301tait vide. Il a oublie\u0301 de le remplir."
    [finding] = find_blame(text)
    assert finding.excerpt == "Il a oublie\u0301"
    assert text[finding.start:finding.end] == finding.excerpt


def test_names_are_flagged_as_whole_words():
    text = "Le dossier de Claire Martin est resté bloqué ; Dupontel n'y est pour rien, mais Dupont si."
    findings = find_blame(text, NAMES)
    assert [f.excerpt for f in findings] == ["Claire Martin", "Dupont"]
    assert all(f.reason == "cite le nom d'une personne" for f in findings)
    assert find_blame(text) == []  # without names, nothing here is blame


def test_names_are_case_and_accent_insensitive():
    findings = find_blame("Réponse de KEVIN et de kévin.", ["Kévin"])
    assert [f.excerpt for f in findings] == ["KEVIN", "kévin"]


def test_names_do_not_match_inside_compound_names():
    assert find_blame("Jean-Pierre et Jeanne ont relu.", ["Jean"]) == []
    assert [f.excerpt for f in find_blame("Jean a relu.", ["Jean"])] == ["Jean"]


def test_long_texts_stay_fast():
    import time

    text = ("L'agent d'accueil, très occupé ce jour-là, a reçu quarante personnes ; l'agent X aurait dû "
            "être aidé. ") * 200
    started = time.perf_counter()
    findings = find_blame(text, NAMES)
    assert time.perf_counter() - started < 5
    assert [f.excerpt for f in findings[:1]] == ["l'agent X"]
    assert len(findings) == 200


def test_empty_and_blank_names_are_ignored():
    assert find_blame("Un texte sans reproche.", ["", "  ", "a"]) == []


def test_several_findings_in_one_text_in_order():
    text = (
        "Le 3 mars, M. Durand a envoyé le fichier.\n"
        "C'est une erreur humaine : il aurait dû vérifier.\n"
        "- L'outil ne signalait pas les doublons.\n"
        "- Par négligence, la sauvegarde n'a pas été faite."
    )
    findings = find_blame(text)
    assert [f.excerpt for f in findings] == ["M. Durand", "erreur humaine", "il aurait dû", "Par négligence"]
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert findings[0].sentence == "Le 3 mars, M. Durand a envoyé le fichier."
    assert findings[2].sentence == "C'est une erreur humaine : il aurait dû vérifier."
    assert findings[3].sentence == "- Par négligence, la sauvegarde n'a pas été faite."
    for f in findings:
        assert text[f.start:f.end] == f.excerpt


def test_overlapping_matches_give_one_finding():
    [finding] = find_blame("Le dossier est bloqué à cause de M. Dupont.", ["Dupont"])
    assert finding.excerpt == "à cause de M. Dupont"


def test_abbreviated_title_does_not_end_the_sentence():
    [finding] = find_blame("Hier, M. Bernard a relancé le fournisseur. Rien ne bougeait.")
    assert finding.sentence == "Hier, M. Bernard a relancé le fournisseur."


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_empty_text(text):
    assert find_blame(text) == []
    assert find_blame(text, NAMES) == []


def test_suggestions_describe_the_system():
    [finding] = find_blame("C'est la faute de l'agent.")
    assert finding.reason == "attribue la faute à une personne"
    assert finding.suggestion == (
        "Décrivez ce qui, dans le processus, l'outil ou l'information disponible, a rendu l'erreur possible."
    )


def test_finding_is_frozen():
    [finding] = find_blame("Erreur humaine.")
    assert isinstance(finding, Finding)
    with pytest.raises(AttributeError):
        finding.start = 0  # type: ignore[misc]


def test_patterns_are_documented():
    import tal.journal.blame as blame

    assert "BLAME_PATTERNS" in blame.__doc__
    for pattern in BLAME_PATTERNS:
        assert f"``{pattern.key}``" in blame.__doc__
        assert pattern.reason and pattern.suggestion and pattern.sources


def test_the_patterns_of_a_human_subject_can_be_left_to_the_language_analysis():
    text = "Il aurait dû vérifier. Elle a oublié la clé. Il ne sait pas saisir. C'est une erreur humaine."
    assert [f.key for f in find_blame(text)] == ["rétrospectif", "oubli", "savoir", "erreur-humaine"]
    assert [f.key for f in find_blame(text, subjects=False)] == ["erreur-humaine"]
