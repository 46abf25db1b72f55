"""The journal's domain rules: who sees and changes which entry, publication without
a validation chain, history of edits, reactions, comments, actions, recognition.

Visibility (`can_read`, the one policy behind the entry page, its JSON twin, the
feeds, the search and the exports): a draft, and a withdrawn entry that was never
published, are read by their author and the colleagues the author named (co-authors,
a colleague asked to reread) only: not the team, not its manager, not an admin. An
entry loaded from a file has no author in TAL: its draft is read by its team. A
published entry is read by every agent, a public one by everybody; a withdrawn entry
leaves a stub (title and reason) where it was visible. The earlier versions of a
published entry are shown to its author only (`can_see_revisions`); admins see in the
audit log that an entry was edited, never the text. The public never sees an author;
agents see it only when the entry is signed; an admin may reveal it, and that is logged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec
from piccolo.query.functions.aggregate import Count

from tal.accounts.actor import Actor
from tal.accounts.tables import Account, Service
from tal.audit import services as audit
from tal.core.errors import Conflict, DomainError, Forbidden, NotFound
from tal.core import fulltext
from tal.core.pagination import PER_PAGE, Page
from tal.core.text import normalise
from tal.db import MAX_ID, ids_by_name, insert_all, json_value
from tal.i18n import N_
from tal.experiments import extensions
from tal.experiments.schemas import JournalEntry as EntryDoc
from tal.journal import tags
from tal.journal.schemas import ActionInput, EntryInput
from tal.journal.tables import (
    REACTIONS,
    AuthorAccess,
    EntryOfMonth,
    JournalAction,
    JournalCoauthor,
    JournalComment,
    JournalEntry,
    JournalEntryService,
    JournalEntryTag,
    JournalRead,
    JournalReaction,
    JournalRevision,
    Tag,
)

EXPERIMENT_COLUMNS = (JournalEntry.experiment.slug, JournalEntry.experiment.visibility, JournalEntry.experiment.status)
CONTENT = ("title", "happened_on", "what_happened", "what_we_expected", "contributing_factors", "what_went_well",
           "what_we_learned", "what_we_change", "tags", "services")
FILE_FIELDS = EntryDoc.__struct_fields__


STALE = N_("l'entrée a été modifiée entre-temps\u202f: rechargez la page et recommencez")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


# ---------------------------------------------------------------- visibility


def _never_published(row: dict) -> bool:
    return row["state"] == "draft" or (row["state"] == "withdrawn" and row["published_at"] is None)


def can_read(actor: Actor | None, row: dict) -> bool:
    """Whether `actor` (None: a visitor) may read the entry `row` (its columns, its team's
    name, and `coauthors`, the ids of the colleagues its author named)."""
    if _never_published(row):
        return actor is not None and _named(actor, row)
    return actor is not None or row["public"]


def _named(actor: Actor, row: dict) -> bool:
    """The author and the colleagues the author named; the team for a file's entry."""
    if row["author"] is None:
        return actor.service is not None and actor.service == row.get("team.name")
    return actor.id in (row["author"], row["reviewer"]) or actor.id in row.get("coauthors", ())


def _named_condition(actor: Actor):
    """`_named` as a query condition, to list the drafts an actor may read."""
    coauthored = JournalCoauthor.select(JournalCoauthor.entry).where(JournalCoauthor.account == actor.id)
    condition = (JournalEntry.author == actor.id) | (JournalEntry.reviewer == actor.id) | JournalEntry.id.is_in(
        coauthored)
    if actor.service is not None:
        condition |= JournalEntry.author.is_null() & (JournalEntry.team.name == actor.service)
    return condition


def drafts_readable_by(actor: Actor):
    """The drafts this actor may read (`can_read`), as a query condition on JournalEntry."""
    return (JournalEntry.state == "draft") & _named_condition(actor)


def published_or_readable_by(actor: Actor):
    """Published entries, and the drafts this actor may read, as a query condition."""
    return (JournalEntry.state == "published") | drafts_readable_by(actor)


def can_see_revisions(actor: Actor | None, row: dict) -> bool:
    """The earlier versions of an entry may hold a sentence its author rewrote: its author only."""
    return actor is not None and row["author"] is not None and actor.id == row["author"]


def _same_team(actor: Actor, row: dict) -> bool:
    return actor.id == row["author"] or (actor.service is not None and actor.service == row.get("team.name"))


def can_edit(actor: Actor | None, row: dict) -> bool:
    """The author; for an entry loaded from a file (no author), its team; admins."""
    if actor is None or row["state"] == "withdrawn":
        return False
    if actor.is_admin:
        return True
    if row["author"] is not None:
        return actor.id == row["author"]
    return _same_team(actor, row)


def can_make_public(actor: Actor | None, row: dict) -> bool:
    """The author (or the team of a file entry), admins, and managers of the entry's service."""
    manager = actor is not None and actor.role == "manager" and actor.service == row.get("team.name")
    return can_edit(actor, row) or manager




async def _row(entry_id: int) -> dict:
    if not 0 < entry_id <= MAX_ID:
        raise NotFound("aucune entrée de journal n° %d" % entry_id)
    row = await JournalEntry.select(*JournalEntry.all_columns(), JournalEntry.team.name, *EXPERIMENT_COLUMNS,
                                    JournalEntry.experiment.title).where(JournalEntry.id == entry_id).first()
    if row is None:
        raise NotFound("aucune entrée de journal n° %d" % entry_id)
    row["coauthors"] = await coauthor_ids(entry_id)
    return row


async def coauthor_ids(entry_id: int) -> tuple[int, ...]:
    rows = await JournalCoauthor.select(JournalCoauthor.account).where(JournalCoauthor.entry == entry_id)
    return tuple(sorted(r["account"] for r in rows))


async def _readable(entry_id: int, actor: Actor | None) -> dict:
    row = await _row(entry_id)
    if not can_read(actor, row):
        raise NotFound("aucune entrée de journal n° %d" % entry_id)
    return row


async def _editable(entry_id: int, actor: Actor | None) -> dict:
    row = await _readable(entry_id, actor)
    if not can_edit(actor, row):
        raise Forbidden(N_("seul l'auteur ou l'autrice de l'entrée peut la modifier"))
    return row


# ---------------------------------------------------------------- writing


async def _check_references(data: EntryInput) -> None:
    known_tags = {r["name"] for r in await Tag.select(Tag.name)}
    for tag in data.tags:
        if tag not in known_tags:
            raise DomainError(N_("étiquette inconnue\u202f: «\u202f%(tag)s\u202f»"), "tags", {"tag": tag})
    known_services = {r["name"] for r in await Service.select(Service.name)}
    for name in data.services:
        if name not in known_services:
            raise DomainError(N_("service inconnu\u202f: «\u202f%(name)s\u202f»"), "services", {"name": name})


async def _link(entry_id: int, data: dict, team: str | None) -> None:
    """The related rows used to filter by tag and by service (team or services concerned)."""
    await _unlink(entry_id)
    tag_names = list(dict.fromkeys(data.get("tags") or []))
    names = list(dict.fromkeys([team, *data.get("services", [])] if team else list(data.get("services", []))))
    if tag_names:
        ids = dict.fromkeys(t["id"] for t in (await tags.find(tag_names)).values())
        await JournalEntryTag.insert(*(JournalEntryTag(entry=entry_id, tag=t) for t in ids))
    if names:
        services = await Service.select(Service.id).where(Service.name.is_in(names))
        await JournalEntryService.insert(*(JournalEntryService(entry=entry_id, service=r["id"]) for r in services))


async def _unlink(entry_id: int) -> None:
    await JournalEntryTag.delete().where(JournalEntryTag.entry == entry_id)
    await JournalEntryService.delete().where(JournalEntryService.entry == entry_id)


def _search_text(data: dict) -> str:
    return normalise(" ".join(str(data.get(k, "")) for k in CONTENT if k not in ("happened_on", "tags", "services"))
                     + " " + " ".join(data.get("tags") or []))


async def _experiment_id(slug: str | None, actor: Actor | None, iteration: int | None = None) -> int | None:
    if not slug:
        if iteration is not None:
            raise DomainError(N_("une itération se rapporte à une expérimentation\u202f: donnez aussi son identifiant"), "iteration")
        return None
    from tal.experiments import services as experiments

    try:
        view = await experiments.get(slug, actor)
    except NotFound:
        raise DomainError(N_("expérimentation inconnue\u202f: «\u202f%(slug)s\u202f»"), "experiment", {"slug": slug[:80]}) from None
    if iteration is not None and iteration not in {it.number for it in view.doc.iterations}:
        raise DomainError(N_("l'expérimentation n'a pas d'itération n° %(number)d"), "iteration", {"number": iteration})
    from tal.experiments.tables import Experiment

    row = await Experiment.select(Experiment.id).where(Experiment.slug == view.slug).first()
    return row["id"]


async def create(actor: Actor, data: EntryInput) -> int:
    if actor.service is None and not actor.is_admin:
        raise Forbidden(N_("votre compte n'est rattaché à aucun service"))
    await _check_references(data)
    content = msgspec.structs.asdict(data)
    experiment_id = await _experiment_id(content.pop("experiment"), actor, content["iteration"])
    team = await Service.select(Service.id).where(Service.name == (actor.service or "")).first()
    entry = JournalEntry(
        **{k: content[k] for k in CONTENT},
        experiment=experiment_id,
        iteration=content["iteration"],
        signed=content["signed"],
        author=actor.id,
        team=team["id"] if team else None,
        search_text=_search_text(content),
    )
    await entry.save()
    await _link(entry.id, content, actor.service)
    return entry.id


async def update(actor: Actor, entry_id: int, data: EntryInput, expected_version: int | None = None) -> None:
    row = await _editable(entry_id, actor)
    await _check_references(data)
    content = msgspec.structs.asdict(data)
    experiment_id = await _experiment_id(content.pop("experiment"), actor, content["iteration"])
    if row["state"] == "published":
        await JournalRevision.insert(
            JournalRevision(entry=entry_id, content=msgspec.json.encode({k: _previous(row, k) for k in CONTENT}).decode())
        )
        # Admins see that the entry was rewritten, never the earlier text (its author's only).
        await audit.record("journal.revise", account_id=actor.id, address=None, target=str(entry_id),
                           detail={"version": row["version"]})
    await _write(entry_id, row, expected_version, {
        **{getattr(JournalEntry, k): content[k] for k in CONTENT},
        JournalEntry.experiment: experiment_id,
        JournalEntry.iteration: content["iteration"],
        JournalEntry.signed: content["signed"],
        JournalEntry.search_text: _search_text(content),
        JournalEntry.updated_at: now(),
    })
    await _link(entry_id, content, row["team.name"])


async def _write(entry_id: int, row: dict, expected_version: int | None, values: dict) -> None:
    """Change an entry only if it is still the version the writer saw (`None`: the one
    just read, for the system's own follow-up writes); the version moves on."""
    version = row["version"] if expected_version is None else expected_version
    changed = await JournalEntry.update({**values, JournalEntry.version: version + 1}).where(
        (JournalEntry.id == entry_id) & (JournalEntry.version == version)).returning(JournalEntry.id)
    if not changed:
        raise Conflict(STALE, "version")


def _previous(row: dict, key: str):
    value = row[key]
    if key in ("tags", "services"):
        return json_value(value)
    return value.isoformat() if isinstance(value, dt.date) else value


async def publish(actor: Actor, entry_id: int, expected_version: int | None = None) -> None:
    row = await _editable(entry_id, actor)
    if row["state"] != "draft":
        raise DomainError(N_("cette entrée est déjà publiée"), "state")
    await _write(entry_id, row, expected_version, {JournalEntry.state: "published", JournalEntry.published_at: now()})


async def set_public(actor: Actor, entry_id: int, public: bool, expected_version: int | None = None) -> None:
    row = await _readable(entry_id, actor)
    if not can_make_public(actor, row):
        raise Forbidden(N_("seuls l'auteur, l'autrice ou l'encadrement peuvent rendre une entrée publique"))
    if row["state"] != "published":
        raise DomainError(N_("seule une entrée publiée peut être rendue publique"), "public")
    await _write(entry_id, row, expected_version, {JournalEntry.public: public})


async def withdraw(actor: Actor, entry_id: int, reason: str, expected_version: int | None = None) -> None:
    row = await _readable(entry_id, actor)
    if not (can_edit(actor, row) or (actor is not None and actor.is_admin)):
        raise Forbidden(N_("seul l'auteur ou l'autrice (ou l'administration) peut retirer une entrée"))
    reason = reason.strip()
    if row["state"] == "withdrawn":
        raise DomainError(N_("cette entrée est déjà retirée"), "reason")
    if not reason:
        raise DomainError(N_("donnez la raison du retrait\u202f: elle reste affichée à la place de l'entrée"), "reason")
    if len(reason) > 1000:
        raise DomainError(N_("trop long\u202f: 1000 caractères au plus"), "reason")
    # The withdrawn text is no longer searchable either.
    await _write(entry_id, row, expected_version, {
        JournalEntry.state: "withdrawn", JournalEntry.withdrawn_reason: reason, JournalEntry.search_text: "",
        JournalEntry.updated_at: now()})
    await _unlink(entry_id)


async def propose_review(actor: Actor, entry_id: int, username: str, expected_version: int | None = None) -> None:
    """Ask a colleague for a reread: a suggestion, never a gate."""
    row = await _editable(entry_id, actor)
    colleague = await Account.select(Account.id).where(Account.username == username.strip().lower()).first()
    if colleague is None or colleague["id"] == actor.id:
        raise DomainError(N_("collègue inconnu\u202f: donnez le nom d'utilisateur d'un ou d'une collègue"), "reviewer")
    await _write(entry_id, row, expected_version, {JournalEntry.reviewer: colleague["id"]})


async def add_coauthor(actor: Actor, entry_id: int, username: str) -> None:
    """Name a colleague co-author: they read the entry while it is a draft."""
    row = await _editable(entry_id, actor)
    if row["author"] != actor.id:
        raise Forbidden("seul l'auteur ou l'autrice de l'entrée nomme ses co-auteurs")
    colleague = await Account.select(Account.id).where(
        (Account.username == username.strip().lower()[:60]) & (Account.active == True)).first()  # noqa: E712
    if colleague is None or colleague["id"] == actor.id:
        raise DomainError("collègue inconnu\u202f: donnez le nom d'utilisateur d'un ou d'une collègue", "coauthor")
    await JournalCoauthor.insert(JournalCoauthor(
        entry=entry_id, account=colleague["id"], key=f"{entry_id}:{colleague['id']}")).on_conflict(
        target=JournalCoauthor.key, action="DO NOTHING")


async def coauthor_names(entry_id: int) -> list[str]:
    rows = await JournalCoauthor.select(JournalCoauthor.account.display_name).where(
        JournalCoauthor.entry == entry_id).order_by(JournalCoauthor.id)
    return [r["account.display_name"] for r in rows]


async def react(actor: Actor, entry_id: int, kind: str) -> None:
    row = await _readable(entry_id, actor)
    if kind not in REACTIONS:
        raise DomainError(N_("réaction inconnue"), "kind")
    if row["state"] != "published":
        raise DomainError(N_("on ne réagit qu'à une entrée publiée"), "kind")
    added = await JournalReaction.insert(
        JournalReaction(entry=entry_id, account=actor.id, kind=kind, key=f"{entry_id}:{actor.id}:{kind}")
    ).on_conflict(target=JournalReaction.key, action="DO NOTHING").returning(JournalReaction.id)
    if not added:
        raise DomainError(N_("vous avez déjà donné cette réaction"), "kind")


async def comment(actor: Actor, entry_id: int, body: str) -> None:
    row = await _readable(entry_id, actor)
    body = body.strip()
    if row["state"] != "published":
        raise DomainError(N_("on ne commente qu'une entrée publiée"), "body")
    if not body:
        raise DomainError(N_("le commentaire est vide"), "body")
    if len(body) > 5000:
        raise DomainError(N_("trop long\u202f: 5000 caractères au plus"), "body")
    await JournalComment.insert(JournalComment(entry=entry_id, account=actor.id, body=body))


async def mark_read(actor: Actor | None, entry_id: int, author_id: int | None = None) -> None:
    """Count a colleague's reading (once); the author's own reading does not count."""
    if actor is None or actor.id == author_id:
        return
    await JournalRead.insert(JournalRead(entry=entry_id, account=actor.id, key=f"{entry_id}:{actor.id}")).on_conflict(
        target=JournalRead.key, action="DO NOTHING")


async def add_action(actor: Actor, entry_id: int, action: ActionInput) -> None:
    row = await _editable(entry_id, actor)
    if action.due_on < row["happened_on"]:
        raise DomainError(N_("l'échéance précède la date de l'événement"), "due_on")
    await JournalAction.insert(JournalAction(entry=entry_id, **msgspec.structs.asdict(action)))


async def action_done(actor: Actor, entry_id: int, action_id: int) -> None:
    await _editable(entry_id, actor)
    if not 0 < action_id <= MAX_ID:
        raise NotFound(N_("action introuvable"))
    done = await JournalAction.update({JournalAction.done_at: now()}).where(
        (JournalAction.id == action_id) & (JournalAction.entry == entry_id) & JournalAction.done_at.is_null()
    ).returning(JournalAction.id)
    if not done:
        raise NotFound(N_("action introuvable"))


async def reveal_author(actor: Actor, entry_id: int) -> str:
    """The author of an entry, for moderation by an admin; the access is logged."""
    if not actor.is_admin:
        raise Forbidden(N_("seule l'administration peut voir l'auteur d'une entrée anonyme, pour modération"))
    row = await _row(entry_id)
    await AuthorAccess.insert(AuthorAccess(entry=entry_id, admin=actor.id))
    if row["author"] is None:
        return "(entrée chargée depuis un fichier : pas d'auteur enregistré)"
    account = await Account.select(Account.display_name, Account.username).where(Account.id == row["author"]).first()
    return f"{account['display_name']} ({account['username']})"


async def choose_of_month(actor: Actor, entry_id: int, month: str) -> None:
    if actor.role not in ("committee", "admin"):
        raise Forbidden(N_("le comité transversal choisit l'entrée du mois"))
    row = await _readable(entry_id, actor)
    if row["state"] != "published":
        raise DomainError(N_("seule une entrée publiée peut être l'entrée du mois"), "month")
    try:
        dt.date.fromisoformat(month + "-01")
    except ValueError:
        raise DomainError(N_("mois attendu au format AAAA-MM"), "month") from None
    await EntryOfMonth.delete().where(EntryOfMonth.month == month)
    await EntryOfMonth.insert(EntryOfMonth(month=month, entry=entry_id))


# ---------------------------------------------------------------- reading


@dataclass
class EntrySummary:
    id: int
    title: str
    happened_on: dt.date
    published_at: dt.datetime | None
    state: str
    public: bool
    team: str | None
    tags: list[str]
    experiment: str | None
    withdrawn_reason: str | None


@dataclass
class EntryView:
    row: dict
    author: str | None
    can_edit: bool
    can_make_public: bool
    actions: list[dict]
    revisions: list[dict]
    reactions: dict[str, int]
    my_reactions: set[str]
    comments: list[dict]
    reads: int | None
    author_accesses: int
    tags: list[str] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    late_actions: int = 0
    coauthors: list[str] = field(default_factory=list)


def _experiment_readable(actor: Actor | None, row: dict) -> bool:
    """An entry may be public while its experiment is internal: then it is not named."""
    from tal.accounts.actor import can_read as can_read_experiment

    return row.get("experiment.slug") is not None and can_read_experiment(
        actor, visibility=row["experiment.visibility"], status=row["experiment.status"])


def _summary(row: dict, actor: Actor | None) -> EntrySummary:
    withdrawn = row["state"] == "withdrawn"
    experiment = row["experiment.slug"] if _experiment_readable(actor, row) and not withdrawn else None
    return EntrySummary(row["id"], row["title"], row["happened_on"], row["published_at"], row["state"], row["public"],
                        row["team.name"], [] if withdrawn else json_value(row["tags"]), experiment, row["withdrawn_reason"])


@dataclass
class JournalFilters:
    service: str = ""
    tag: str = ""
    experiment: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    q: str = ""
    page: int = 1


def _visible(actor: Actor | None):
    """Published entries, and the stubs of withdrawn ones that had been published."""
    shown = (JournalEntry.state == "published") | (
        (JournalEntry.state == "withdrawn") & JournalEntry.published_at.is_not_null()
    )
    if actor is None:
        return shown & (JournalEntry.public == True)  # noqa: E712
    return shown


async def search(filters: JournalFilters, actor: Actor | None) -> Page[EntrySummary]:
    """Published entries (and withdrawn stubs), newest first."""
    where = [_visible(actor)]
    if filters.service:
        where.append(JournalEntry.id.is_in(JournalEntryService.select(JournalEntryService.entry).where(
            JournalEntryService.service.name == filters.service)))
    if filters.tag:
        where.append(JournalEntry.id.is_in(JournalEntryTag.select(JournalEntryTag.entry).where(
            JournalEntryTag.tag.name == filters.tag)))
    if filters.experiment:
        # An experiment the reader may not see filters like an unknown one: nothing.
        where.append(JournalEntry.experiment.slug == filters.experiment)
        if actor is None:
            where.append((JournalEntry.experiment.visibility == "public") & (JournalEntry.experiment.status != "draft"))
    if filters.since:
        where.append(JournalEntry.happened_on >= filters.since)
    if filters.until:
        where.append(JournalEntry.happened_on <= filters.until)
    ranked = await fulltext.ranked_ids(JournalEntry, filters.q)
    query = JournalEntry.select(*JournalEntry.all_columns(), JournalEntry.team.name, *EXPERIMENT_COLUMNS)
    number = max(1, filters.page)
    if ranked is not None:  # a search: most relevant first
        total, ids = await fulltext.ranked_page(JournalEntry, ranked, where, number, PER_PAGE)
        rows = sorted(await query.where(JournalEntry.id.is_in(ids or [0])), key=lambda r: ids.index(r["id"]))
        return Page([_summary(r, actor) for r in rows], total, number)
    count = JournalEntry.count()
    for condition in where:
        query, count = query.where(condition), count.where(condition)
    total = await count
    rows = await (query.order_by(JournalEntry.published_at, ascending=False).order_by(JournalEntry.id, ascending=False)
                  .limit(PER_PAGE).offset((number - 1) * PER_PAGE))
    return Page([_summary(r, actor) for r in rows], total, number)


async def team_drafts(actor: Actor | None) -> list[EntrySummary]:
    """The actor's drafts, those a colleague named the actor on, and the drafts of the
    files of the actor's team."""
    if actor is None:
        return []
    condition = (JournalEntry.state == "draft") & _named_condition(actor)
    rows = await JournalEntry.select(*JournalEntry.all_columns(), JournalEntry.team.name, *EXPERIMENT_COLUMNS
                                     ).where(condition).order_by(JournalEntry.updated_at, ascending=False)
    return [_summary(r, actor) for r in rows]


async def get(entry_id: int, actor: Actor | None) -> EntryView:
    row = dict(await _readable(entry_id, actor))
    withdrawn = row["state"] == "withdrawn"
    if withdrawn or not _experiment_readable(actor, row):
        row["experiment.slug"] = row["experiment.title"] = None
    author = None
    if actor is not None and row["signed"] and row["author"] is not None and not withdrawn:
        account = await Account.select(Account.display_name).where(Account.id == row["author"]).first()
        author = account["display_name"] if account else None
    reactions = {kind: 0 for kind in REACTIONS}
    mine: set[str] = set()
    comments: list[dict] = []
    if actor is not None and not withdrawn:
        for r in await JournalReaction.select(JournalReaction.kind, JournalReaction.account).where(JournalReaction.entry == entry_id):
            reactions[r["kind"]] += 1
            if r["account"] == actor.id:
                mine.add(r["kind"])
        comments = await JournalComment.select(JournalComment.body, JournalComment.at, JournalComment.account,
                                               JournalComment.account.display_name
                                               ).where(JournalComment.entry == entry_id).order_by(JournalComment.at)
        for c in comments:
            # The author of an anonymous entry stays anonymous in its comments.
            c["by_anonymous_author"] = c["account"] == row["author"] and not row["signed"]
            if c["by_anonymous_author"]:
                c["account.display_name"] = None
    is_team = actor is not None and (actor.is_admin or _same_team(actor, row))
    reads = await JournalRead.count().where(JournalRead.entry == entry_id) if is_team else None
    actions = [] if withdrawn else await JournalAction.select().where(JournalAction.entry == entry_id).order_by(JournalAction.due_on)
    today = dt.date.today()
    revisions = [] if withdrawn or not can_see_revisions(actor, row) else [
        {"at": r["at"], "content": json_value(r["content"])}
        for r in await JournalRevision.select().where(JournalRevision.entry == entry_id).order_by(JournalRevision.at)
    ]
    accesses = await AuthorAccess.count().where(AuthorAccess.entry == entry_id) if actor is not None else 0
    return EntryView(
        row=row,
        author=author,
        can_edit=can_edit(actor, row),
        can_make_public=can_make_public(actor, row) and row["state"] == "published",
        actions=actions,
        revisions=revisions,
        reactions=reactions,
        my_reactions=mine,
        comments=comments,
        reads=reads,
        author_accesses=accesses,
        tags=json_value(row["tags"]),
        services=json_value(row["services"]),
        late_actions=sum(1 for a in actions if a["done_at"] is None and a["due_on"] < today),
        coauthors=await coauthor_names(entry_id) if _never_published(row) else [],
    )


async def late_actions(actor: Actor | None) -> list[dict]:
    """Open actions past their due date, of the entries of the actor's team."""
    if actor is None or actor.service is None:
        return []
    rows = await JournalAction.select(
        JournalAction.description, JournalAction.owner_role, JournalAction.due_on, JournalAction.entry.id,
        JournalAction.entry.title,
    ).where(
        JournalAction.done_at.is_null()
        & (JournalAction.due_on < dt.date.today())
        & (JournalAction.entry.team.name == actor.service)
        & (JournalAction.entry.state != "withdrawn")
    ).order_by(JournalAction.due_on)
    return rows


async def team_echo(actor: Actor | None) -> dict | None:
    """How many colleagues read and reacted to the published entries of the actor's team."""
    if actor is None or actor.service is None:
        return None
    shared = (JournalEntry.team.name == actor.service) & (JournalEntry.state == "published")
    entries = await JournalEntry.count().where(shared)
    if not entries:
        return {"entries": 0, "readers": 0, "reactions": 0}
    ids = JournalEntry.select(JournalEntry.id).where(shared)
    readers = await JournalRead.select(JournalRead.account).where(JournalRead.entry.is_in(ids)).distinct()
    return {
        "entries": entries,
        "readers": len(readers),
        "reactions": await JournalReaction.count().where(JournalReaction.entry.is_in(
            JournalEntry.select(JournalEntry.id).where(shared))),
    }


async def tag_names() -> list[str]:
    return [r["name"] for r in await Tag.select(Tag.name).order_by(Tag.name)]


async def recognition(actor: Actor | None, days: int = 90) -> dict:
    """For the home page: latest entries, entries shared per service, the entry of the month."""
    since = now() - dt.timedelta(days=days)
    rows = await JournalEntry.select(JournalEntry.team.name, Count(alias="shared")).where(
        (JournalEntry.state == "published") & (JournalEntry.published_at >= since)
    ).group_by(JournalEntry.team.name)
    per_service: dict[str, int] = {}
    for r in rows:
        name = r["team.name"] or "—"
        per_service[name] = per_service.get(name, 0) + r["shared"]
    latest = (await search(JournalFilters(), actor)).items[:5]
    month = await EntryOfMonth.select(EntryOfMonth.month, EntryOfMonth.entry).order_by(EntryOfMonth.month, ascending=False).first()
    of_month = None
    if month:
        row = await _row(month["entry"])
        if can_read(actor, row) and row["state"] == "published":
            of_month = {"month": month["month"], "entry": _summary(row, actor)}
    return {"latest": [e for e in latest if e.state == "published"], "per_service": sorted(per_service.items()),
            "of_month": of_month, "days": days}


# ---------------------------------------------------------------- experiment files


async def ensure_tags(names: list[str]) -> None:
    await tags.ensure(names)


async def entries_of(
    experiment_id: int, actor: Actor | None = None, *, everything: bool = False, file_only: bool = False,
    withdrawn: bool = False,
) -> list[EntryDoc]:
    """The entries of an experiment, as its file carries them (withdrawn ones left out).

    `file_only`: only the entries that came from a file (no author in TAL), to compare
    a file being loaded with what it loaded before."""
    condition = JournalEntry.experiment == experiment_id
    if not withdrawn:
        condition &= JournalEntry.state != "withdrawn"
    if file_only:
        condition &= JournalEntry.author.is_null()
    rows = await JournalEntry.select(*JournalEntry.all_columns(), JournalEntry.team.name).where(
        condition).order_by(JournalEntry.position).order_by(JournalEntry.id)
    named: dict[int, list[int]] = {}
    if rows and not everything:
        for r in await JournalCoauthor.select(JournalCoauthor.entry, JournalCoauthor.account).where(
                JournalCoauthor.entry.is_in([row["id"] for row in rows])):
            named.setdefault(r["entry"], []).append(r["account"])
    docs = []
    for row in rows:
        if not everything and not can_read(actor, {**row, "coauthors": named.get(row["id"], ())}):
            continue
        data = {k: row[k] for k in FILE_FIELDS if k not in ("published", "tags")}
        docs.append(EntryDoc(**data, published=row["state"] != "draft", tags=json_value(row["tags"])))
    return docs


async def file_entries_changed(experiment_id: int, entries: list[EntryDoc]) -> bool:
    """Whether a file's entries differ from those this experiment's files brought
    (entries written in TAL, which an export also carries, do not count; nor does what a
    file says of an entry withdrawn in TAL, since a withdrawal stands)."""
    if entries == await entries_of(experiment_id, everything=True):
        return False
    withdrawn = {_key(r) for r in await JournalEntry.select(JournalEntry.title, JournalEntry.happened_on).where(
        (JournalEntry.experiment == experiment_id) & JournalEntry.author.is_null()
        & (JournalEntry.state == "withdrawn"))}
    from_files = await entries_of(experiment_id, everything=True, file_only=True)
    return [e for e in entries if _key(e) not in withdrawn] != from_files


# The text of an entry: once published, a file may not change it (TAL keeps what was read).
TEXT = ("what_happened", "what_we_expected", "contributing_factors", "what_went_well", "what_we_learned",
        "what_we_change")
PUBLISHED_TEXT = N_("le texte d'une entrée de journal déjà publiée ne peut pas changer par un fichier : "
                    "modifiez-la dans TAL, qui garde la version précédente, ou ajoutez une nouvelle entrée")
PUBLISHED_LEFT_OUT = N_("l'entrée de journal publiée «\u202f%(title)s\u202f» du %(day)s manque au fichier\u202f: "
                        "un fichier ne retire pas une entrée publiée (retirez-la dans TAL, avec sa raison, "
                        "ou gardez-la dans le fichier sans changer son titre ni sa date)")
SAME_KEY = N_("deux entrées de journal ont le même titre et la même date : donnez-leur des titres différents")


def _key(entry) -> tuple[str, dt.date]:
    """An entry of a file is the same entry as a stored one when its title and date are the same."""
    return (entry.title, entry.happened_on) if isinstance(entry, EntryDoc) else (entry["title"], entry["happened_on"])


async def replace_entries(experiment_id: int, team_id: int | None, entries: list[EntryDoc], *,
                          new: bool = False, team_name: str | None = None) -> None:
    """Make the experiment's file entries match the file. An entry is matched with the
    stored one of the same title and date, whatever its rank: matched entries are
    updated in place (keeping reactions and comments), new ones added, those no longer
    in the file withdrawn. A file may not change the text of a published entry
    (DomainError naming `journal[N].field`, nothing written). `new`: the experiment was
    just created, nothing is stored yet. `team_name`: the name of `team_id` when the
    caller knows it."""
    ranks = check_file_entries(entries)
    if team_id and team_name is None:
        team = await Service.select(Service.name).where(Service.id == team_id).first()
        team_name = team["name"] if team else None
    existing: dict[tuple, dict] = {}
    if not new:
        written_in_tal = {_key(r) for r in await JournalEntry.select(JournalEntry.title, JournalEntry.happened_on).where(
            (JournalEntry.experiment == experiment_id) & JournalEntry.author.is_not_null())}
        # An exported file carries the entries written in TAL too: they are not copied back.
        entries = [e for e in entries if _key(e) not in written_in_tal]
        for row in await JournalEntry.select(JournalEntry.id, JournalEntry.state, JournalEntry.title,
                                             JournalEntry.happened_on, *(getattr(JournalEntry, k) for k in TEXT)).where(
                (JournalEntry.experiment == experiment_id) & (JournalEntry.author.is_null())
        ).order_by(JournalEntry.position).order_by(JournalEntry.id):
            existing.setdefault(_key(row), row)
    for entry in entries:
        old = existing.get(_key(entry))
        if old is not None and old["state"] == "published":
            for name in TEXT:
                if getattr(entry, name) != old[name]:
                    raise DomainError(PUBLISHED_TEXT, f"journal[{ranks[_key(entry)]}].{name}")
    kept = {_key(e) for e in entries}
    for key, extra in existing.items():
        # Shared entries are evidence: leaving one out (or changing its title or date) is refused.
        if key not in kept and extra["state"] == "published":
            raise DomainError(PUBLISHED_LEFT_OUT, "journal", {"title": key[0], "day": key[1].isoformat()})
    await ensure_tags([t for e in entries for t in e.tags])
    added: list[tuple[dict, dict]] = []
    for position, entry in enumerate(entries):
        old = existing.get(_key(entry))
        if old is None:
            added.append(_new_entry(experiment_id, team_id, position, entry))
            continue
        values, columns = _columns(position, entry)
        if old["state"] == "withdrawn":
            continue  # a withdrawal in TAL stands: a file does not bring an entry back
        await JournalEntry.update({**columns, JournalEntry.updated_at: now()}).where(JournalEntry.id == old["id"])
        await _link(old["id"], values, team_name)
        published = await JournalEntry.update({JournalEntry.published_at: now()}).where(
            (JournalEntry.id == old["id"]) & JournalEntry.published_at.is_null() & (JournalEntry.state == "published")
        ).returning(JournalEntry.id)
        if published:
            await _audit_file("journal.publish", old["id"])
    if added:
        await _add_entries(added, {experiment_id: team_name})
    for key, extra in existing.items():
        if key not in kept and extra["state"] != "withdrawn":
            await JournalEntry.update({JournalEntry.state: "withdrawn", JournalEntry.withdrawn_reason:
                                       FILE_WITHDRAWAL, JournalEntry.search_text: ""}
                                      ).where(JournalEntry.id == extra["id"])
            await _unlink(extra["id"])
            await _audit_file("journal.withdraw", extra["id"], {"reason": FILE_WITHDRAWAL})


def check_file_entries(entries: list[EntryDoc]) -> dict[tuple, int]:
    """The rank of each entry of a file by its key; DomainError when two have the same,
    or when a tag is not one the vocabulary may hold."""
    ranks: dict[tuple, int] = {}
    for rank, entry in enumerate(entries, start=1):
        if _key(entry) in ranks:
            raise DomainError(SAME_KEY, f"journal[{rank}].title")
        ranks[_key(entry)] = rank
        for number, tag in enumerate(entry.tags, start=1):  # the form's rules for a new tag
            tags.check(tag, f"journal[{rank}].tags[{number}]")
    return ranks


def _columns(position: int, entry: EntryDoc) -> tuple[dict, dict]:
    """The values a file gives an entry, and the columns they set."""
    values = {k: getattr(entry, k) for k in FILE_FIELDS if k != "published"}
    return values, {
        **{getattr(JournalEntry, k): v for k, v in values.items()},
        JournalEntry.state: "published" if entry.published else "draft",
        JournalEntry.position: position,
        JournalEntry.search_text: _search_text(values),
    }


def _new_entry(experiment_id: int, team_id: int | None, position: int, entry: EntryDoc) -> tuple[dict, dict]:
    """The row of a new entry of a file (its columns by name), and the file's values."""
    values, columns = _columns(position, entry)
    return {"experiment": experiment_id, "team": team_id, **{c._meta.name: v for c, v in columns.items()},
            "published_at": now() if entry.published else None}, values


async def add_file_entries(created: list[tuple[int, int | None, str | None, list[EntryDoc]]]) -> None:
    """The entries of files whose experiments were just created (experiment id, team id
    and name, entries, each list already checked by `check_file_entries`), in a few
    statements for all: the same rows as `replace_entries(..., new=True)` of each in turn."""
    await ensure_tags([t for *_, entries in created for e in entries for t in e.tags])
    await _add_entries([_new_entry(experiment_id, team_id, position, entry)
                        for experiment_id, team_id, _, entries in created for position, entry in enumerate(entries)],
                       {experiment_id: team_name for experiment_id, _, team_name, _ in created})


async def _add_entries(added: list[tuple[dict, dict]], teams: dict[int, str | None]) -> None:
    """Insert new entries of files and their related rows in a few statements
    (`teams`: the team's name of each experiment)."""
    inserted = await insert_all(JournalEntry, [entry for entry, _ in added], JournalEntry.id, JournalEntry.experiment,
                                JournalEntry.position)
    id_at = {(r["experiment"], r["position"]): r["id"] for r in inserted}
    tag_names = list(dict.fromkeys(t for _, values in added for t in values.get("tags") or []))
    service_names = list(dict.fromkeys([*(team for team in teams.values() if team),
                                        *(n for _, v in added for n in v.get("services") or [])]))
    tag_ids = {name: row["id"] for name, row in (await tags.find(tag_names)).items()}
    services = await ids_by_name(Service, Service.name, service_names)
    links, concerned, published = [], [], []
    for entry, values in added:
        entry_id = id_at[(entry["experiment"], entry["position"])]
        links += [{"entry": entry_id, "tag": t} for t in dict.fromkeys(tag_ids[n] for n in values.get("tags") or [])]
        team = teams[entry["experiment"]]
        names = dict.fromkeys([*([team] if team else []), *(values.get("services") or [])])
        concerned += [{"entry": entry_id, "service": services[n]} for n in names if n in services]
        if entry["state"] == "published":
            published.append(_file_event("journal.publish", entry_id))
    await audit.record_many(published)
    await insert_all(JournalEntryTag, links)
    await insert_all(JournalEntryService, concerned)


FILE_WITHDRAWAL = "retirée du fichier de l'expérimentation"


async def _audit_file(action: str, entry_id: int, detail: dict | None = None) -> None:
    await audit.record(**_file_event(action, entry_id, detail))


def _file_event(action: str, entry_id: int, detail: dict | None = None) -> dict:
    """A publication or withdrawal brought by a file: the command line has no account or address."""
    return {"action": action, "account_id": None, "address": None, "target": str(entry_id),
            "detail": {"source": "file", **(detail or {})}}


async def sharing_by_service(since: dt.date, until: dt.date) -> dict[str, dict[str, int]]:
    """Per team: the entries published from `since` to `until` (inclusive), still
    published, and the reactions they received. Teams that shared nothing are absent."""
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.timezone.utc)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone.utc)
    rows = await JournalEntry.select(JournalEntry.id, JournalEntry.team.name).where(
        (JournalEntry.state == "published") & (JournalEntry.published_at >= start) & (JournalEntry.published_at < end)
        & JournalEntry.team.is_not_null())
    sharing: dict[str, dict[str, int]] = {}
    team_of = {r["id"]: r["team.name"] for r in rows}
    for name in team_of.values():
        sharing.setdefault(name, {"entries": 0, "reactions": 0})["entries"] += 1
    if team_of:
        for r in await JournalReaction.select(JournalReaction.entry).where(JournalReaction.entry.is_in(list(team_of))):
            sharing[team_of[r["entry"]]]["reactions"] += 1
    return sharing


# The register shows them without importing the journal (tal/experiments/extensions.py).
extensions.provide("entries", entries_of)
extensions.provide("recognition", recognition)
