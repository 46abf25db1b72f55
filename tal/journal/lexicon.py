"""French words of the wording review: who can be blamed, and for what.

Every word is written lower-case and without accents: compare with ``fold(word)``.
The lists serve the language analysis (``tal.journal.analysis``) and the patterns of
the fallback (``tal.journal.wording``) alike.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache


@lru_cache(maxsize=100_000)
def fold(word: str) -> str:
    """Lower case, accents removed, typographic apostrophes made straight."""
    decomposed = unicodedata.normalize("NFKD", word.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# People designated by their role (singular and plural, masculine and feminine forms).
ROLE_NOUNS = frozenset("""
agent agente agents agentes stagiaire stagiaires secretaire secretaires collegue collegues chef cheffe chefs
cheffes responsable responsables directeur directrice directeurs directrices technicien technicienne techniciens
techniciennes comptable comptables gardien gardienne gardiens gardiennes chauffeur chauffeuse chauffeurs
standardiste standardistes animateur animatrice animateurs animatrices instructeur instructrice instructeurs
instructrices regisseur regisseuse regisseurs policier policiere policiers cantinier cantiniere cantinieres
alternant alternante alternants apprenti apprentie apprentis employe employee employes gestionnaire gestionnaires
operateur operatrice prestataire prestataires elu elue elus adjoint adjointe maire assistant assistante
assistants receptionniste coordinateur coordinatrice developpeur developpeuse administrateur administratrice
juriste infirmier infirmiere atsem educateur educatrice bibliothecaire mediateur mediatrice livreur informaticien
informaticienne ingenieur ingenieure conseiller conseillere cadre cadres recrue recrues interimaire interimaires
vacataire vacataires remplacant remplacante manager encadrant encadrante referent referente archiviste
jardinier jardiniere ouvrier ouvriere facteur caissier caissiere guichetier guichetiere accompagnateur
accompagnatrice surveillant surveillante professeur enseignant enseignante
""".split())

# Personal pronouns that designate a person (« on » and « nous » speak for the team).
PERSON_PRONOUNS = frozenset("je j' tu il elle ils elles lui celui-ci celle-ci ceux-ci celles-ci".split())

# Titles before a name.
TITLES = frozenset("m m. mme mlle mr monsieur madame mademoiselle".split())

# Verbs of failing: their subject is blamed.
FAILING_VERBS = frozenset("""
oublier bacler negliger omettre rater louper egarer perdre saboter tromper zapper confondre melanger bousiller
abimer casser endommager gacher saccager ignorer bafouer enfreindre
""".split())

# Verbs whose negation, with a person as subject, reproaches a duty not done.
DUTY_VERBS = frozenset("""
verifier relire lire controler prevenir informer signaler envoyer transmettre respecter suivre appliquer faire
fermer surveiller sauvegarder repondre rappeler traiter saisir enregistrer mettre valider tester remplir joindre
noter consulter regarder avertir demander prendre renouveler archiver classer declarer commander payer regler
relancer corriger ouvrir preparer penser venir ranger imprimer publier afficher poster expedier deposer
""".split())

# « laisser » + one of these: « a laissé expirer la clé », « a laissé traîner ».
LET_FAIL = frozenset("expirer trainer passer filer tomber echapper perdre deborder".split())

# Nouns of fault, negligence or incompetence: blamed on the person they belong to.
FAULT_NOUNS = frozenset("""
faute fautes oubli oublis erreur erreurs negligence incompetence lenteur manque betise boulette bourde maladresse
etourderie inattention distraction desinvolture laxisme paresse imprudence legerete negligences
""".split())

# Judgements of a person: blamed whoever they name.
JUDGEMENT_WORDS = frozenset("""
negligent negligente negligents negligentes incompetent incompetente incompetents incompetentes distrait distraite
etourdi etourdie fautif fautive fautifs fautives coupable coupables paresseux paresseuse laxiste laxistes
inattentif inattentive desinvolte imprudent imprudente maladroit maladroite nul nulle
""".split())

# Manner that judges how a person worked: « par erreur », « n'importe comment », « à la légère ».
BAD_MANNER = ("par erreur", "par megarde", "par inadvertance", "par negligence", "par distraction",
              "par paresse", "n'importe comment", "a la legere", "a la va-vite", "sans faire attention")

# An object judged wrong: « a envoyé le mauvais fichier ».
WRONG_ADJECTIVES = frozenset("mauvais mauvaise mauvaises faux fausse fausses errone erronee errones erronees".split())

# Verbs whose infinitive after « sans » reproaches a check not made: « a validé sans les lire ».
CHECK_VERBS = frozenset("verifier relire lire controler regarder tester demander prevenir consulter".split())

# Causes: « à cause de », « par la faute de », « du fait de » (« grâce à » is praise).
CAUSE_MARKERS = ("a cause de", "a cause d'", "a cause du", "a cause des", "par la faute de", "par la faute du",
                 "du fait de", "du fait du")

# Counterfactuals: « aurait dû », « était censé », « devait … et ne l'a pas fait ».
SUPPOSED_WORDS = frozenset("cense censee censes censees suppose supposee".split())

# Proper nouns that are not people (acronyms are recognised by their capitals).
NOT_PEOPLE = frozenset("""
numerique sms internet intranet excel word outlook teams mairie ville commune metropole departement region
etat france paris lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin juillet
aout septembre octobre novembre decembre noel
""".split())
