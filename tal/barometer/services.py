"""The barometer's domain rules: campaigns opened and closed by an admin (at most one
open), one anonymous answer per agent and campaign, results shown only for groups of
at least `TAL_BAROMETER_MIN` answers once the campaign is closed.

Results wait for the closing: live figures would let anyone who saw a colleague
answer read that colleague's answer in the change of the figures.

Who sees what: every agent, the whole collectivité and the group that holds their
own service; managers, also every service shown and the relation to the journal; the
committee and admins, every group shown (« Autres services » included).
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field

from tal.accounts.actor import Actor
from tal.accounts.tables import Account, Service
from tal.barometer import scoring
from tal.barometer.schemas import AnswerInput, CampaignInput
from tal.barometer.tables import Answer, Campaign, FreeText, Participation
from tal.core.errors import Conflict, DomainError, Forbidden, NotFound
from tal.db import MAX_ID, json_value
from tal.settings import get_settings
from tal.i18n import N_

_shuffle = random.SystemRandom().shuffle


def min_group() -> int:
    return get_settings().barometer_min


def _row_out(row: dict) -> dict:
    return {**row, "services": json_value(row["services"]), "population": json_value(row["population"])}


async def campaign(campaign_id: int) -> dict:
    if not 0 < campaign_id <= MAX_ID:
        raise NotFound("aucun baromètre n° %d" % campaign_id)
    row = await Campaign.select().where(Campaign.id == campaign_id).first()
    if row is None:
        raise NotFound("aucun baromètre n° %d" % campaign_id)
    return _row_out(row)


async def campaigns() -> list[dict]:
    """Every campaign, the newest first, with its number of answers."""
    rows = await Campaign.select().order_by(Campaign.opens_on, ascending=False).order_by(Campaign.id, ascending=False)
    counts: dict[int, int] = {}
    for r in await Answer.select(Answer.campaign):
        counts[r["campaign"]] = counts.get(r["campaign"], 0) + 1
    return [{**_row_out(r), "answers": counts.get(r["id"], 0)} for r in rows]


async def open_campaign_row() -> dict | None:
    row = await Campaign.select().where(Campaign.state == "open").first()
    return _row_out(row) if row else None


# ---------------------------------------------------------------- campaigns


def require_admin(actor: Actor | None) -> None:
    if actor is None or not actor.is_admin:
        raise Forbidden(N_("seuls les administrateurs ouvrent et clôturent les baromètres"))


async def open_campaign(data: CampaignInput, *, fictional: bool = False) -> int:
    """Open a campaign; at most one is open at a time."""
    known = set(r["name"] for r in await Service.select(Service.name))
    for name in data.services:
        if name not in known:
            raise DomainError(N_("service inconnu\u202f: «\u202f%(name)s\u202f»"), "services", {"name": name})
    opens_on = data.opens_on or dt.date.today()
    if data.closes_on is not None and data.closes_on < opens_on:
        raise DomainError(N_("la date de clôture précède la date d'ouverture"), "closes_on")
    if await Campaign.exists().where(Campaign.state == "open"):
        raise Conflict(N_("un baromètre est déjà ouvert : clôturez-le avant d'en ouvrir un autre"), "title")
    created = await Campaign.insert(Campaign(
        title=data.title.strip(), opens_on=opens_on, closes_on=data.closes_on, state="open", open_slot="open",
        services=sorted(set(data.services)), fictional=fictional,
    )).on_conflict(target=Campaign.open_slot, action="DO NOTHING").returning(Campaign.id)
    if not created:
        raise Conflict(N_("un baromètre est déjà ouvert : clôturez-le avant d'en ouvrir un autre"), "title")
    return created[0]["id"]


async def population(services: list[str]) -> dict[str, int]:
    """Active accounts per surveyed service (every service when the list is empty)."""
    rows = await Account.select(Account.service.name).where((Account.active == True) & Account.service.is_not_null())  # noqa: E712
    counts: dict[str, int] = {}
    for r in rows:
        if not services or r["service.name"] in services:
            counts[r["service.name"]] = counts.get(r["service.name"], 0) + 1
    return counts


async def close_campaign(campaign_id: int, version: int | None) -> None:
    """Close an open campaign; its results are then frozen and shown."""
    row = await campaign(campaign_id)
    if row["state"] != "open":
        raise Conflict(N_("ce baromètre est déjà clos"), "version")
    if version is not None and version != row["version"]:
        raise Conflict(N_("ce baromètre a changé depuis l'affichage de la page : rechargez-la"), "version")
    today = dt.date.today()
    closes_on = today if row["closes_on"] is None or row["closes_on"] > today else row["closes_on"]
    changed = await Campaign.update({
        Campaign.state: "closed", Campaign.open_slot: None, Campaign.closes_on: closes_on,
        Campaign.population: await population(row["services"]), Campaign.version: row["version"] + 1,
    }).where((Campaign.id == campaign_id) & (Campaign.version == row["version"])).returning(Campaign.id)
    if not changed:
        raise Conflict(N_("ce baromètre a changé depuis l'affichage de la page : rechargez-la"), "version")
    await _rewrite_in_key_order(campaign_id)


async def _rewrite_in_key_order(campaign_id: int) -> None:
    """Write the campaign's answers and texts again, in the order of their random key:
    whatever the engine keeps of the order of arrival is then gone with the old rows."""
    for table in (Answer, FreeText):
        rows = await table.select().where(table.campaign == campaign_id)
        if rows:
            await table.delete().where(table.campaign == campaign_id)
            await table.insert(*(table(**r) for r in sorted(rows, key=lambda r: r["id"])))


# ---------------------------------------------------------------- answering


def refusal(actor: Actor | None, row: dict) -> DomainError | None:
    """Why this actor cannot answer this campaign, or None (participation aside)."""
    today = dt.date.today()
    if actor is None:
        return Forbidden(N_("connectez-vous pour répondre au baromètre"))
    if row["state"] != "open" or (row["closes_on"] is not None and today > row["closes_on"]):
        return Conflict(N_("ce baromètre est clos : il ne reçoit plus de réponses"))
    if today < row["opens_on"]:
        return Conflict(N_("ce baromètre n'est pas encore ouvert"))
    if actor.service is None:
        return Forbidden(N_("votre compte n'est rattaché à aucun service : il ne peut pas répondre au baromètre"))
    if row["services"] and actor.service not in row["services"]:
        return Forbidden(N_("ce baromètre ne concerne pas votre service"))
    return None


async def has_answered(actor: Actor | None, campaign_id: int) -> bool:
    if actor is None:
        return False
    return await Participation.exists().where(Participation.key == f"{campaign_id}:{actor.id}")


async def answer(actor: Actor | None, campaign_id: int, data: AnswerInput) -> None:
    """Record that the actor answered, and the answer apart, with nothing to join them."""
    postgres = Answer._meta.db.engine_type == "postgres"
    if postgres and 0 < campaign_id <= MAX_ID:
        # One answer of a campaign at a time, and none while it closes: the rewrite
        # below must take in every row, and the state is read once the lock is held.
        await Campaign.raw("SELECT id FROM campaign WHERE id = {} FOR UPDATE", campaign_id)
    row = await campaign(campaign_id)
    if (error := refusal(actor, row)) is not None:
        raise error
    added = await Participation.insert(
        Participation(campaign=campaign_id, account=actor.id, key=f"{campaign_id}:{actor.id}")
    ).on_conflict(target=Participation.key, action="DO NOTHING").returning(Participation.id)
    if not added:
        raise Conflict(N_("vous avez déjà répondu à ce baromètre ; une réponse ne se modifie pas"))
    values = {item: getattr(data, item) for item in scoring.ITEMS}
    await Answer.insert(Answer(id=uuid.uuid4(), campaign=campaign_id, service=actor.service, **values))
    free = data.free.replace("\r\n", "\n").strip()
    if free:
        await FreeText.insert(FreeText(id=uuid.uuid4(), campaign=campaign_id, service=actor.service, body=free))
    if postgres:
        # PostgreSQL stamps each row with the transaction that wrote it (xmin), the one
        # of the participation too, and keeps rows in the order of arrival (ctid): every
        # answer of the campaign is written again, in the order of its random key, by
        # this transaction. (SQLite has neither: its answer tables are WITHOUT ROWID.)
        await _rewrite_in_key_order(campaign_id)


# ---------------------------------------------------------------- results


@dataclass
class Figures:
    """Every group that may be shown for a closed campaign, whoever looks."""

    campaign: dict
    counts: dict[str, int]
    groups: scoring.Groups
    results: dict[str, scoring.GroupResult]


@dataclass
class Relation:
    group: str
    n: int
    mean: float
    ci: tuple[float, float] | None
    entries: int
    reactions: int


@dataclass
class Results:
    campaign: dict
    min_group: int
    total: int
    groups: list[scoring.GroupResult] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    previous: dict | None = None
    relation: list[Relation] | None = None

    @property
    def closed(self) -> bool:
        return self.campaign["state"] == "closed"


async def figures(row: dict, *, free: bool = False) -> Figures:
    answers = await Answer.select(Answer.service, *(getattr(Answer, i) for i in scoring.ITEMS)).where(
        Answer.campaign == row["id"])
    counts: dict[str, int] = {}
    by_service: dict[str, list[dict]] = {}
    for a in answers:
        counts[a["service"]] = counts.get(a["service"], 0) + 1
        by_service.setdefault(a["service"], []).append(a)
    groups = scoring.suppress(counts, min_group())
    population = row["population"] or {}
    members: dict[str, list[str]] = {}
    if groups.whole_shown:
        members[scoring.ALL] = sorted(set(counts) | set(population))
    for name in groups.services:
        members[name] = [name]
    if groups.others_shown:
        members[scoring.OTHERS] = groups.others
    texts: dict[str, list[str]] = {}
    if free and members:
        for t in await FreeText.select(FreeText.service, FreeText.body).where(FreeText.campaign == row["id"]):
            texts.setdefault(t["service"], []).append(t["body"])
    results = {}
    for name, services in members.items():
        group_answers = [a for s in services for a in by_service.get(s, [])]
        result = scoring.describe(name, services, group_answers, sum(population.get(s, 0) for s in services))
        result.free = [t for s in services for t in texts.get(s, [])]
        _shuffle(result.free)
        results[name] = result
    return Figures(row, counts, groups, results)


async def previous_campaign(row: dict) -> dict | None:
    rows = await Campaign.select().where((Campaign.state == "closed") & (Campaign.opens_on <= row["opens_on"])
                                         & (Campaign.id != row["id"])).order_by(Campaign.opens_on, ascending=False)
    earlier = [r for r in rows if (r["opens_on"], r["id"]) < (row["opens_on"], row["id"])]
    return _row_out(earlier[0]) if earlier else None


def visible(actor: Actor, groups: scoring.Groups, name: str) -> bool:
    if actor.role in ("committee", "admin") or name == scoring.ALL:
        return True
    own = actor.service is not None and groups.group_of(actor.service) == name
    if actor.role == "manager":
        return own or name != scoring.OTHERS
    return own


def hidden_message(name: str) -> Forbidden:
    return Forbidden(N_("les résultats de «\u202f%(name)s\u202f» ne sont pas affichés\u202f: moins de %(limit)d réponses, "
                        "ou des chiffres qui se déduiraient par différence\u202f; ils sont regroupés pour protéger "
                        "l'anonymat"), "groupe", {"name": name, "limit": min_group()})


def _check_group(actor: Actor, figs: Figures, group: str) -> None:
    """A group asked for by name: shown and visible to this actor, or a 4xx."""
    if group in figs.results:
        if not visible(actor, figs.groups, group):
            raise Forbidden(N_("vous voyez les résultats de l'ensemble de la collectivité et de votre service"), "groupe")
        return
    if group in figs.counts or group in figs.campaign["services"] or group in (figs.campaign["population"] or {}):
        raise hidden_message(group)
    if group in (scoring.ALL, scoring.OTHERS):
        raise hidden_message(group)
    raise NotFound(N_("aucun groupe «\u202f%(group)s\u202f» dans ce baromètre"), "groupe", {"group": group[:80]})


async def results(actor: Actor | None, campaign_id: int, group: str = "") -> Results:
    """What this actor may see of a campaign; with `group`, that group only."""
    if actor is None:
        raise Forbidden(N_("connectez-vous pour voir les résultats du baromètre"))
    row = await campaign(campaign_id)
    total = await Answer.count().where(Answer.campaign == campaign_id)
    if row["state"] != "closed":
        if group:
            raise Forbidden(N_("les résultats d'un baromètre s'affichent à sa clôture"), "groupe")
        return Results(row, min_group(), total)
    figs = await figures(row, free=True)
    if group:
        _check_group(actor, figs, group)
    previous = await previous_campaign(row)
    before = await figures(previous) if previous else None
    shown = []
    for name, result in figs.results.items():
        if group and name != group or not visible(actor, figs.groups, name):
            continue
        prior = before.results.get(name) if before else None
        if prior is not None and prior.services == result.services or name == scoring.ALL:
            scoring.compare(result, prior)
        shown.append(result)
    relation = None
    if actor.role != "agent":
        relation = await _relation(row, shown)
    merged = figs.groups.others if figs.groups.whole_shown else []
    return Results(row, min_group(), total, shown, merged, previous, relation)


async def _relation(row: dict, shown: list[scoring.GroupResult]) -> list[Relation]:
    """Each shown service group's psychological safety next to its sharing in the journal
    over the campaign's period."""
    from tal.journal.services import sharing_by_service

    sharing = await sharing_by_service(row["opens_on"], row["closes_on"] or dt.date.today())
    rows = []
    for g in shown:
        if g.group == scoring.ALL:
            continue
        ps = g.scales["psychological_safety"]
        rows.append(Relation(g.group, g.n, ps.mean, ps.ci, sum(sharing.get(s, {}).get("entries", 0) for s in g.services),
                             sum(sharing.get(s, {}).get("reactions", 0) for s in g.services)))
    return rows


# ---------------------------------------------------------------- tables of figures (export, open data)

COLUMNS = ("campagne", "titre", "ouverture", "cloture", "donnees_fictives", "groupe", "services", "reponses",
           "taux_de_reponse", "securite_psychologique", "securite_psychologique_ic_bas",
           "securite_psychologique_ic_haut", "securite_psychologique_alpha", "bien_etre", "bien_etre_ic_bas",
           "bien_etre_ic_haut", "bien_etre_alpha", "numerique", "numerique_ic_bas", "numerique_ic_haut")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def figure_rows(row: dict, groups: list[scoring.GroupResult]) -> list[dict]:
    """One row per group shown: counts and scores, never a free text."""
    out = []
    for g in groups:
        line = {"campagne": row["id"], "titre": row["title"], "ouverture": row["opens_on"].isoformat(),
                "cloture": row["closes_on"].isoformat() if row["closes_on"] else "",
                "donnees_fictives": row["fictional"], "groupe": g.group, "services": "|".join(g.services),
                "reponses": g.n, "taux_de_reponse": _round(g.response_rate)}
        for key, prefix in (("psychological_safety", "securite_psychologique"), ("wellbeing", "bien_etre"),
                            ("digital", "numerique")):
            scale = g.scales[key]
            line[prefix] = _round(scale.mean)
            line[f"{prefix}_ic_bas"] = _round(scale.ci[0]) if scale.ci else None
            line[f"{prefix}_ic_haut"] = _round(scale.ci[1]) if scale.ci else None
            if key in scoring.WITH_ALPHA:
                line[f"{prefix}_alpha"] = _round(scale.alpha)
        out.append(line)
    return out


def open_data_schema() -> dict:
    """The Table Schema of `open_data_rows()` as a CSV resource (`barometre.csv`)."""
    types = {"campagne": "integer", "ouverture": "date", "cloture": "date", "donnees_fictives": "boolean",
             "reponses": "integer", "titre": "string", "groupe": "string", "services": "string"}
    return {"fields": [{"name": c, "type": types.get(c, "number")} for c in COLUMNS],
            "missingValues": [""], "primaryKey": ["campagne", "groupe"]}


async def open_data_rows() -> list[dict]:
    """The aggregated figures of every closed campaign, groups above the threshold only
    (after complementary suppression), without free texts: for the open data package."""
    rows = await Campaign.select().where(Campaign.state == "closed").order_by(Campaign.opens_on).order_by(Campaign.id)
    out = []
    for row in rows:
        row = _row_out(row)
        figs = await figures(row)
        out.extend(figure_rows(row, list(figs.results.values())))
    return out
