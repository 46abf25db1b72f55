"""The questionnaire's texts (French message ids, English in the catalogue) and sources."""

from __future__ import annotations

from tal.i18n import N_

PS_ITEMS = {
    # Edmondson (1999), items as published; the French text is the project's translation.
    "ps1": N_("Si vous faites une erreur dans cette équipe, on vous le reproche souvent."),
    "ps2": N_("Les membres de cette équipe sont capables de soulever les problèmes et les questions difficiles."),
    "ps3": N_("Les membres de cette équipe rejettent parfois les autres parce qu'ils sont différents."),
    "ps4": N_("On peut prendre un risque sans danger dans cette équipe."),
    "ps5": N_("Il est difficile de demander de l'aide aux autres membres de cette équipe."),
    "ps6": N_("Personne dans cette équipe n'agirait délibérément de façon à compromettre mes efforts."),
    "ps7": N_("En travaillant avec les membres de cette équipe, mes compétences et mes talents propres sont "
              "reconnus et mis à profit."),
}
PS_SCALE = {
    1: N_("Pas du tout d'accord"),
    2: N_("Pas d'accord"),
    3: N_("Plutôt pas d'accord"),
    4: N_("Ni d'accord ni pas d'accord"),
    5: N_("Plutôt d'accord"),
    6: N_("D'accord"),
    7: N_("Tout à fait d'accord"),
}
WHO_ITEMS = {
    # WHO-5, official French and English versions.
    "who1": N_("Je me suis senti(e) bien et de bonne humeur."),
    "who2": N_("Je me suis senti(e) calme et tranquille."),
    "who3": N_("Je me suis senti(e) plein(e) d'énergie et vigoureux(se)."),
    "who4": N_("Je me suis réveillé(e) en me sentant frais (fraîche) et dispos(e)."),
    "who5": N_("Ma vie quotidienne a été remplie de choses intéressantes."),
}
WHO_SCALE = {
    5: N_("Tout le temps"),
    4: N_("La plupart du temps"),
    3: N_("Plus de la moitié du temps"),
    2: N_("Moins de la moitié du temps"),
    1: N_("De temps en temps"),
    0: N_("Jamais"),
}
DIG_ITEMS = {
    "dig1": N_("Les outils numériques mis à ma disposition m'aident à bien faire mon travail."),
    "dig2": N_("Les changements d'outils ou d'organisation dans mon service sont expliqués et préparés avec les "
               "agents concernés."),
    "dig3": N_("J'ai pu donner mon avis sur les derniers changements d'outils ou d'organisation de mon service."),
}
DIG_SCALE = {
    1: N_("Pas du tout d'accord"),
    2: N_("Plutôt pas d'accord"),
    3: N_("Ni d'accord ni pas d'accord"),
    4: N_("Plutôt d'accord"),
    5: N_("Tout à fait d'accord"),
}
FREE_QUESTION = N_("Qu'est-ce qui rendrait plus facile de partager une erreur dans votre équipe ?")

SECTIONS = [
    {
        "key": "psychological_safety",
        "title": N_("Sécurité psychologique de l'équipe"),
        "intro": N_("Pensez à l'équipe avec laquelle vous travaillez au quotidien."),
        "items": PS_ITEMS,
        "scale": PS_SCALE,
        "source": N_("Amy C. Edmondson, « Psychological Safety and Learning Behavior in Work Teams », "
                     "Administrative Science Quarterly, 44 (2), 1999, p. 350–383 : les 7 items de sécurité "
                     "psychologique de l'équipe, échelle d'accord en 7 points ; les items 1, 3 et 5 sont inversés. "
                     "Texte français : traduction du projet TAL, non validée à ce jour."),
    },
    {
        "key": "wellbeing",
        "title": N_("Bien-être au travail (WHO-5)"),
        "intro": N_("Au cours des deux dernières semaines :"),
        "items": WHO_ITEMS,
        "scale": WHO_SCALE,
        "source": N_("Indice de bien-être WHO-5 de l'Organisation mondiale de la santé, version française "
                     "officielle. © Psychiatric Research Unit, Mental Health Centre North Zealand (Hillerød, "
                     "Danemark)\u202f; libre d'utilisation avec cette mention. Référence\u202f: C. W. Topp et al., «\u202fThe WHO-5 "
                     "Well-Being Index: A Systematic Review of the Literature\u202f», Psychotherapy and Psychosomatics, "
                     "84 (3), 2015, p. 167–176. Score\u202f: somme des 5 réponses (0 à 25) × 4, de 0 à 100."),
    },
    {
        "key": "digital",
        "title": N_("Outils numériques et conduite du changement"),
        "intro": N_("Dans votre service :"),
        "items": DIG_ITEMS,
        "scale": DIG_SCALE,
        "source": N_("Questions propres à TAL (échelle d'accord en 5 points), sans validation psychométrique."),
    },
]
SCALE_NAMES = {
    "psychological_safety": N_("Sécurité psychologique"),
    "wellbeing": N_("Bien-être (WHO-5)"),
    "digital": N_("Outils numériques et changement"),
}
SCALE_UNITS = {
    "psychological_safety": N_("moyenne de 1 à 7"),
    "wellbeing": N_("score de 0 à 100"),
    "digital": N_("moyenne de 1 à 5"),
}
