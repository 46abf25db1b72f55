"""The open data files: five CSV files, their Table Schemas and a Frictionless Data
Package, following the conventions of data.gouv.fr and schema.data.gouv.fr.

UTF-8 without BOM, comma, one header row, ISO 8601 dates, decimal point, snake_case
column names that do not change, the experiment's `slug` as the key linking them.
Licence Ouverte / Open Licence 2.0 (etalab-2.0), the collectivité as publisher.

Public content only, read as a visitor reads it: public experiments that are not
drafts; their iterations, comparisons, learning cards and decisions; journal entries
published and made public (never an author: the team's service only), linked to their
experiment only when that experiment is public. Nothing of an internal experiment
appears, not even its slug.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import msgspec

from tal import __version__
from tal.accounts.actor import can_read
from tal.evaluation import services as evaluation
from tal.experiments.schemas import ExperimentFile
from tal.experiments.tables import Experiment
from tal.i18n import N_
from tal.journal.tables import JournalEntry
from tal.settings import get_settings

LICENSE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}

# name -> (title, description, [(column, type, description)], primary key, foreign key to experiments)
Column = tuple[str, str, str]
TABLES: dict[str, tuple[str, str, list[Column], list[str], bool]] = {
    "experimentations": (
        N_("Expérimentations"),
        N_("Une ligne par expérimentation publique : son plan pré-enregistré, son statut, son service."),
        [
            ("slug", "string", "Identifiant de l'expérimentation, clé qui relie les fichiers"),
            ("titre", "string", "Titre"),
            ("service", "string", "Service porteur"),
            ("services_partenaires", "string", "Services partenaires, séparés par « | »"),
            ("objectifs", "string", "Objectifs stratégiques, séparés par « | »"),
            ("protocole", "string", "randomized (tirage au sort), before_after (avant/après) ou comparison_group (groupe de comparaison)"),
            ("statut", "string", "registered, running, concluded, decided ou abandoned"),
            ("date_preenregistrement", "datetime", "Date et heure du pré-enregistrement du plan (ISO 8601)"),
            ("intervention", "string", "Clé commune aux expérimentations qui répliquent une même intervention"),
            ("nombre_hypotheses", "integer", "Nombre d'hypothèses"),
            ("nombre_indicateurs", "integer", "Nombre d'indicateurs"),
            ("nombre_iterations", "integer", "Nombre d'itérations"),
            ("resume", "string", "Résumé (Markdown)"),
            ("date_mise_a_jour", "datetime", "Dernière modification (ISO 8601)"),
        ],
        ["slug"], False,
    ),
    "comparaisons": (
        N_("Comparaisons"),
        N_("Une ligne par itération, indicateur et bras comparé au témoin (ou après / avant, traités / comparaison), "
        "avec l'estimation, son intervalle de confiance, la valeur p, le verdict et la méthode."),
        [
            ("slug", "string", "Expérimentation"),
            ("iteration", "integer", "Numéro de l'itération"),
            ("indicateur", "string", "Clé de l'indicateur"),
            ("libelle_indicateur", "string", "Libellé de l'indicateur"),
            ("role", "string", "primary (principal), secondary (secondaire) ou guardrail (garde-fou)"),
            ("type", "string", "binary (proportion), mean (moyenne), rate (taux) ou ordinal"),
            ("bras", "string", "Bras comparé (après, traités pour les autres protocoles)"),
            ("temoin", "string", "Bras témoin (avant, comparaison pour les autres protocoles)"),
            ("valeur_temoin", "number", "Valeur observée dans le témoin"),
            ("valeur_bras", "number", "Valeur observée dans le bras"),
            ("difference", "number", "Estimation : bras moins témoin"),
            ("difference_ic_bas", "number", "Borne basse de l'intervalle de confiance de la différence"),
            ("difference_ic_haut", "number", "Borne haute de l'intervalle de confiance de la différence"),
            ("rapport", "number", "Rapport bras / témoin"),
            ("rapport_ic_bas", "number", "Borne basse de l'intervalle de confiance du rapport"),
            ("rapport_ic_haut", "number", "Borne haute de l'intervalle de confiance du rapport"),
            ("valeur_p", "number", "Valeur p"),
            ("valeur_p_ajustee", "number", "Valeur p ajustée pour comparaisons multiples (Holm)"),
            ("verdict", "string", "confirmed, contradicted, below_useful_effect, no_useful_effect, inconclusive, "
                                  "guardrail_ok, guardrail_breached ou too_short"),
            ("methode", "string", "Méthode statistique"),
        ],
        ["slug", "iteration", "indicateur", "bras"], True,
    ),
    "apprentissages": (
        N_("Cartes d'apprentissage"),
        N_("Une ligne par itération qui a sa carte d'apprentissage."),
        [
            ("slug", "string", "Expérimentation"),
            ("iteration", "integer", "Numéro de l'itération"),
            ("date_debut", "date", "Début de l'itération"),
            ("date_fin", "date", "Fin de l'itération"),
            ("changement", "string", "Ce qui a été essayé dans ce cycle"),
            ("nous_pensions", "string", "Nous pensions que…"),
            ("nous_avons_observe", "string", "Nous avons observé…"),
            ("nous_avons_appris", "string", "Nous avons appris…"),
            ("nous_allons_donc", "string", "Nous allons donc…"),
        ],
        ["slug", "iteration"], True,
    ),
    "journal": (
        N_("Journal « erreurs et apprentissages »"),
        N_("Les entrées publiques du journal, sans nom d'auteur : l'équipe (le service) seulement."),
        [
            ("id", "integer", "Identifiant de l'entrée"),
            ("slug", "string", "Expérimentation liée, quand elle est publique"),
            ("titre", "string", "Titre"),
            ("date", "date", "Date des faits"),
            ("service", "string", "Équipe"),
            ("ce_qui_s_est_passe", "string", "Ce qui s'est passé"),
            ("ce_que_nous_attendions", "string", "Ce que nous attendions"),
            ("facteurs_contributifs", "string", "Facteurs contributifs (le système, pas les personnes)"),
            ("ce_qui_a_bien_fonctionne", "string", "Ce qui a bien fonctionné"),
            ("ce_que_nous_avons_appris", "string", "Ce que nous avons appris"),
            ("ce_que_nous_changeons", "string", "Ce que nous changeons"),
            ("etiquettes", "string", "Étiquettes, séparées par « | »"),
            ("date_publication", "datetime", "Date de publication (ISO 8601)"),
        ],
        ["id"], True,
    ),
    "decisions": (
        N_("Décisions du comité"),
        N_("La décision du comité transversal sur chaque expérimentation publique décidée."),
        [
            ("slug", "string", "Expérimentation"),
            ("decision", "string", "scale (généraliser), spread (essaimer), iterate (itérer) ou stop (arrêter)"),
            ("date_decision", "date", "Date de la décision"),
            ("justification", "string", "Justification"),
            ("services_cibles", "string", "Services où l'intervention est étendue, séparés par « | »"),
        ],
        ["slug"], True,
    ),
}

NAMES = tuple(TABLES)


def schema(name: str) -> dict:
    """The Table Schema of one file."""
    _, _, columns, key, linked = TABLES[name]
    optional = {"slug"} if name == "journal" else set()
    fields = []
    for column, kind, description in columns:
        field = {"name": column, "type": kind, "description": description}
        if kind == "datetime":
            field["format"] = "any"
        if column in key and column not in optional:
            field["constraints"] = {"required": True}
        fields.append(field)
    result: dict = {"fields": fields, "primaryKey": key, "missingValues": [""]}
    if linked:
        result["foreignKeys"] = [{"fields": "slug", "reference": {"resource": "experimentations", "fields": "slug"}}]
    return result


# The social barometer's aggregated figures (groups above the threshold only, after
# complementary suppression, never a free text): its rows and schema come from the
# barometer area.
BAROMETER = "barometre"
BAROMETER_TITLE = N_("Baromètre social")
BAROMETER_DESCRIPTION = N_(
    "Une ligne par campagne close et par groupe affiché (au moins le seuil de réponses)\u202f: sécurité "
    "psychologique, bien-être WHO-5 et questions sur le numérique, moyennes et intervalles à 95 %."
)


def described() -> list[tuple[str, str, str]]:
    """Every resource of the package\u202f: (name, title, description)."""
    return [(name, table[0], table[1]) for name, table in TABLES.items()] + [
        (BAROMETER, BAROMETER_TITLE, BAROMETER_DESCRIPTION)]


def datapackage(updated: dt.datetime | None) -> dict:
    settings = get_settings()
    resources = []
    for name, title, description in described():
        resources.append({
            "name": name,
            "title": title,
            "description": description,
            "path": f"{name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True},
            "schema": f"{name}.schema.json",
            "licenses": [LICENSE],
        })
    package = {
        "profile": "tabular-data-package",
        "name": "tal-experimentations",
        "title": f"Expérimentations et apprentissages — {settings.org_name}",
        "description": "Les expérimentations publiques de la collectivité (plans pré-enregistrés, résultats, "
                       "cartes d'apprentissage, décisions) et son journal public « erreurs et apprentissages », "
                       f"publiés par TAL {__version__}.",
        "licenses": [LICENSE],
        "contributors": [{"title": settings.org_name, "role": "publisher"}],
        "keywords": ["expérimentation", "test and learn", "collectivité", "politiques publiques"],
        "resources": resources,
    }
    if updated is not None:
        package["created"] = updated.isoformat()
    return package


# ---------------------------------------------------------------- rows


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(microsecond=0).isoformat()
    return value.isoformat()


def _number(value) -> str:
    return "" if value is None else repr(float(value))


def _joined(values: list[str]) -> str:
    return "|".join(values)


@dataclass
class Public:
    """What the files are made of: the public experiments and the public entries."""

    experiments: list[tuple[dict, ExperimentFile]]
    evaluations: dict[str, dict | None]
    entries: list[dict]
    public_ids: dict[int, str]


async def collect() -> Public:
    rows = await Experiment.select(
        Experiment.id, Experiment.slug, Experiment.status, Experiment.visibility, Experiment.document, Experiment.updated_at,
    ).order_by(Experiment.slug)
    experiments = []
    for row in rows:
        if not can_read(None, visibility=row["visibility"], status=row["status"]):
            continue
        document = row["document"]
        doc = msgspec.json.decode(document, type=ExperimentFile) if isinstance(document, str) else msgspec.convert(document, ExperimentFile)
        experiments.append((row, doc))
    evaluations = {}
    for row, doc in experiments:
        evaluations[row["slug"]] = (await evaluation.current(row["slug"], doc)).result
    public_ids = {row["id"]: row["slug"] for row, _ in experiments}
    entries = await JournalEntry.select(*JournalEntry.all_columns(), JournalEntry.team.name).where(
        (JournalEntry.state == "published") & (JournalEntry.public == True)  # noqa: E712
    ).order_by(JournalEntry.id)
    return Public(experiments, evaluations, entries, public_ids)


def _experiment_rows(public: Public) -> list[list]:
    out = []
    for row, doc in public.experiments:
        head = doc.experiment
        out.append([
            head.slug, head.title, head.service, _joined(head.partner_services), _joined(head.objectives), head.design,
            head.status, _iso(head.registered_at), getattr(head, "intervention", None) or "", len(doc.hypotheses),
            len(doc.metrics), len(doc.iterations), head.summary, _iso(row["updated_at"]),
        ])
    return out


def _comparison_rows(public: Public) -> list[list]:
    out = []
    for _, doc in public.experiments:
        result = public.evaluations.get(doc.experiment.slug) or {}
        labels = {m.key: m.label for m in doc.metrics}
        for iteration in result.get("iterations", []):
            for c in iteration.get("comparisons", []):
                low, high = (c.get("difference_ci") or [None, None])[:2]
                r_low, r_high = (c.get("ratio_ci") or [None, None])[:2]
                out.append([
                    doc.experiment.slug, iteration["number"], c["metric"], labels.get(c["metric"], ""), c.get("role") or "",
                    c.get("kind") or "", c.get("arm") or "", c.get("control") or "", _number(c.get("control_value")),
                    _number(c.get("arm_value")), _number(c.get("difference")), _number(low), _number(high),
                    _number(c.get("ratio")), _number(r_low), _number(r_high), _number(c.get("p_value")),
                    _number(c.get("p_value_adjusted")), c.get("verdict") or "", c.get("method") or "",
                ])
    return out


def _learning_rows(public: Public) -> list[list]:
    out = []
    for _, doc in public.experiments:
        for it in doc.iterations:
            if it.learning is None:
                continue
            card = it.learning
            out.append([doc.experiment.slug, it.number, _iso(it.started_on), _iso(it.ended_on), it.change,
                        card.we_believed, card.we_observed, card.we_learned, card.therefore_we_will])
    return out


def _journal_rows(public: Public) -> list[list]:
    out = []
    for e in public.entries:
        tags = json.loads(e["tags"]) if isinstance(e["tags"], str) else e["tags"]
        out.append([
            e["id"], public.public_ids.get(e["experiment"], ""), e["title"], _iso(e["happened_on"]), e["team.name"] or "",
            e["what_happened"], e["what_we_expected"], e["contributing_factors"], e["what_went_well"],
            e["what_we_learned"], e["what_we_change"], _joined(tags or []), _iso(e["published_at"]),
        ])
    return out


def _decision_rows(public: Public) -> list[list]:
    out = []
    for _, doc in public.experiments:
        if doc.decision is not None:
            d = doc.decision
            out.append([doc.experiment.slug, d.outcome, _iso(d.decided_on), d.rationale, _joined(d.target_services)])
    return out


ROWS: dict[str, Callable[[Public], list[list]]] = {
    "experimentations": _experiment_rows,
    "comparaisons": _comparison_rows,
    "apprentissages": _learning_rows,
    "journal": _journal_rows,
    "decisions": _decision_rows,
}


def _csv(name: str, rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column for column, _, _ in TABLES[name][2]])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _json(value: dict) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


async def fingerprint() -> str:
    """Changes whenever anything the files show may have changed."""
    experiments = await Experiment.select(Experiment.id, Experiment.version, Experiment.updated_at).order_by(Experiment.id)
    entries = await JournalEntry.select(JournalEntry.id, JournalEntry.version, JournalEntry.state, JournalEntry.public,
                                        JournalEntry.updated_at).order_by(JournalEntry.id)
    from tal.evaluation.tables import Snapshot

    snapshots = await Snapshot.select(Snapshot.experiment, Snapshot.inputs_hash).order_by(Snapshot.experiment)
    from tal.barometer.tables import Campaign

    campaigns = await Campaign.select(Campaign.id, Campaign.version, Campaign.state).order_by(Campaign.id)
    text = json.dumps([experiments, entries, snapshots, campaigns, get_settings().org_name], default=str,
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


async def build() -> dict[str, bytes]:
    """Every file of the package: name -> content."""
    public = await collect()
    files: dict[str, bytes] = {}
    for name in NAMES:
        files[f"{name}.csv"] = _csv(name, ROWS[name](public))
        files[f"{name}.schema.json"] = _json(schema(name))
    files[f"{BAROMETER}.csv"], files[f"{BAROMETER}.schema.json"] = await _barometer()
    updated = max((row["updated_at"] for row, _ in public.experiments), default=None)
    files["datapackage.json"] = _json(datapackage(updated))
    return files


async def _barometer() -> tuple[bytes, bytes]:
    """The barometer's figures as a CSV file and its Table Schema."""
    from tal.barometer import services as barometer

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=barometer.COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in await barometer.open_data_rows():
        writer.writerow({k: "" if v is None else str(v).lower() if isinstance(v, bool) else v for k, v in row.items()})
    return buffer.getvalue().encode("utf-8"), _json(barometer.open_data_schema())
