"""The register's domain rules. Every write goes through `save`, whatever its source.

`save` checks the document, enforces the pre-registration lock (a registered plan
changes only with an amendment; amendments are append-only), keeps the status
history and the columns used to find experiments, and writes nothing on error.
Callers open the transaction (`tal.db.transaction`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import msgspec

from tal.accounts.actor import Actor, can_decide, can_edit, can_read
from tal.accounts.services import ensure_service
from tal.accounts.tables import Service
from tal.core.errors import Conflict, DomainError, Forbidden, NotFound
from tal.core import fulltext
from tal.core.pagination import PER_PAGE, Page
from tal.core.text import normalise
from tal.db import ids_by_name, insert_all
from tal.experiments import extensions, history as evidence, rules
from tal.experiments.plan import describe_changes, plan_hash
from tal.experiments.schemas import Amendment, Decision, ExperimentFile
from tal.experiments.tables import Experiment, ExperimentObjective, ExperimentService, Objective
from tal.i18n import TIMEZONE, N_

# Allowed status changes through the forms; a file load may set any status.
TRANSITIONS = {
    "draft": ("registered", "abandoned"),
    "registered": ("running", "abandoned"),
    "running": ("concluded", "abandoned"),
    "concluded": ("decided", "abandoned"),
    "decided": (),
    "abandoned": (),
}


STALE = N_("quelqu'un a modifié cette expérimentation entre-temps\u202f: rechargez la page et recommencez")


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass
class Summary:
    """One line of the register."""

    slug: str
    title: str
    service: str
    design: str
    status: str
    visibility: str
    registered_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass
class ExperimentView:
    """An experiment as pages and the API show it."""

    doc: ExperimentFile
    registration_hash: str | None
    plan_hash: str
    plan_matches: bool
    status_history: list[dict]
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    can_edit: bool = False
    can_decide: bool = False
    journal_hidden: int = 0
    # Amendment origins and corrections of frozen results (history.events_of).
    events: list[dict] = field(default_factory=list)

    def amendment_source(self, index: int) -> str | None:
        return next((e["source"] for e in self.events if e["kind"] == "amendment" and e["detail"].get("index") == index),
                    None)

    @property
    def corrections(self) -> list[dict]:
        return [e for e in self.events if e["kind"] == "correction"]

    @property
    def slug(self) -> str:
        return self.doc.experiment.slug


@dataclass
class Filters:
    service: str = ""
    objective: str = ""
    status: str = ""
    design: str = ""
    q: str = ""
    page: int = 1


@dataclass
class SaveResult:
    slug: str
    created: bool
    changed: bool
    messages: list[str] = field(default_factory=list)
    amended: int = 0  # amendments added by this write
    corrected: int = 0  # results changed by a correction
    registered: bool = False  # the plan was registered by this write
    experiment_id: int | None = None
    service_id: int | None = None  # the owning service's


_decoder = msgspec.json.Decoder(ExperimentFile)


def _decode(document: str | bytes | dict) -> ExperimentFile:
    if isinstance(document, dict):
        return msgspec.convert(document, ExperimentFile)
    return _decoder.decode(document)


def _history(row: dict) -> list[dict]:
    history = row["status_history"]
    return msgspec.json.decode(history) if isinstance(history, str) else history


def _encode(doc: ExperimentFile) -> str:
    return msgspec.json.encode(msgspec.structs.replace(doc, journal=[])).decode()


def _search_text(doc: ExperimentFile) -> str:
    parts = [doc.experiment.title, doc.experiment.summary, doc.experiment.service, *doc.experiment.objectives]
    for h in doc.hypotheses:
        parts += [h.we_believe, h.to_verify_we_will, h.we_will_measure, h.we_are_right_if]
    parts += [m.label for m in doc.metrics]
    for it in doc.iterations:
        parts.append(it.change)
        if it.learning:
            parts += [it.learning.we_believed, it.learning.we_observed, it.learning.we_learned, it.learning.therefore_we_will]
    return normalise(" ".join(parts))


async def _ensure_references(doc: ExperimentFile, create: bool) -> int:
    """The owning service's id; unknown services and objectives are created (files)
    or refused (forms)."""
    await _ensure_all_references([doc], create)
    head = doc.experiment
    return (await ids_by_name(Service, Service.name, [head.service]))[head.service]


async def _ensure_all_references(docs: list[ExperimentFile], create: bool) -> None:
    services, objectives = [], []
    for doc in docs:
        head = doc.experiment
        services += [head.service, *head.partner_services, *(doc.decision.target_services if doc.decision else [])]
        objectives += head.objectives
    known = await ids_by_name(Service, Service.name, services)
    for name in dict.fromkeys(services):
        if name not in known:
            if not create:
                raise DomainError(N_("service inconnu\u202f: «\u202f%(name)s\u202f»"), "service", {"name": name})
            await ensure_service(name)
    known_objectives = await ids_by_name(Objective, Objective.title, objectives)
    for title in dict.fromkeys(objectives):
        if title not in known_objectives:
            if not create:
                raise DomainError(N_("objectif inconnu\u202f: «\u202f%(title)s\u202f»"), "objectives", {"title": title})
            await Objective.insert(Objective(title=title))


async def _link(experiment_id: int, doc: ExperimentFile, new: bool = False) -> None:
    """The related rows a page filters on: owning and partner services, objectives.
    `new`: the experiment was just created and has none yet."""
    if not new:
        await ExperimentService.delete().where(ExperimentService.experiment == experiment_id)
        await ExperimentObjective.delete().where(ExperimentObjective.experiment == experiment_id)
    await _link_all([(experiment_id, doc)])


async def _link_all(created: list[tuple[int, ExperimentFile]]) -> None:
    """Insert the related rows of experiments that have none."""
    services, objectives = [], []
    for experiment_id, doc in created:
        head = doc.experiment
        names = list(dict.fromkeys([head.service, *head.partner_services]))
        ids = await ids_by_name(Service, Service.name, names)
        services += [{"experiment": experiment_id, "service": ids[name], "owner": rank == 0}
                     for rank, name in enumerate(names)]
        objectives += [{"experiment": experiment_id, "objective": objective_id}
                       for objective_id in (await ids_by_name(Objective, Objective.title, head.objectives)).values()]
    await insert_all(ExperimentService, services)
    await insert_all(ExperimentObjective, objectives)


def _check_lock(old: ExperimentFile, new: ExperimentFile, old_hash: str, amendment: Amendment | None,
                source: str = "form") -> ExperimentFile:
    """Enforce pre-registration on a change of a registered experiment.

    Returns the new document, with the form's amendment appended when one is given.
    A file may not add amendments to a plan already in the database: they would carry
    the file's dates and words, not the time of the change and what TAL detects.
    """
    if old.experiment.registered_at is None:
        return new
    if new.experiment.registered_at != old.experiment.registered_at:
        raise DomainError(
            "la date de pré-enregistrement ne peut pas changer une fois le plan enregistré", "experiment.registered_at"
        )
    if new.amendments[: len(old.amendments)] != old.amendments:
        raise DomainError(
            "les amendements déjà enregistrés ne peuvent être ni modifiés ni retirés : ajoutez-en un nouveau",
            "amendments",
        )
    if source == "file" and len(new.amendments) > len(old.amendments):
        raise DomainError(
            N_("un fichier ne peut pas amender un plan déjà enregistré dans TAL : amendez le plan dans TAL "
               "(formulaire du plan), qui date l'amendement et décrit lui-même le changement"),
            f"amendments[{len(old.amendments) + 1}]",
        )
    plan_changed = plan_hash(new) != old_hash
    if amendment is not None:
        if not plan_changed:
            raise DomainError(N_("le plan n'a pas changé\u202f: aucun amendement à enregistrer"), "amendment")
        # What changed is always recorded, whatever the team's own description says.
        detected = describe_changes(old, new)
        change = f"{amendment.change.strip()} ({detected})" if amendment.change.strip() else detected
        new = msgspec.structs.replace(new, amendments=[*new.amendments, msgspec.structs.replace(amendment, change=change)])
    elif plan_changed and len(new.amendments) == len(old.amendments):
        raise DomainError(
            N_("le plan est pré-enregistré\u202f: il ne peut changer que par un amendement (raison, majeur ou mineur). "
               "Changements détectés\u202f: %(changes)s"),
            "amendments", {"changes": describe_changes(old, new)},
        )
    return new


async def save(
    doc: ExperimentFile,
    actor: Actor | None,
    *,
    amendment: Amendment | None = None,
    expected_version: int | None = None,
    from_file: bool = False,
    evaluate: bool = True,
    event: dict | None = None,
    correction: str | None = None,
    source: str = "form",
    attached_changed: bool = False,
) -> SaveResult:
    """Create or update an experiment from its whole document.

    `actor` None is the system (command line). `from_file`: unknown services and
    objectives are created (the loader, `tal.loader`, saves the file's journal entries).
    `evaluate`: refresh the evaluation snapshot now (bulk loads refresh once at the end).
    `event`: a line added to the history with this change (an import says what it read).
    `correction`: the reason for changing the results of a concluded or decided
    experiment (frozen otherwise). `source`: where the write comes from (form, api, file).
    `attached_changed`: what a file carries beside the document (its journal entries)
    changed: the write counts as a change even if the document did not.
    """
    source = "file" if from_file else source
    result = await _save(doc, actor, amendment, expected_version, from_file, correction, source, event,
                         attached_changed)
    if evaluate and result.changed:
        await extensions.get("refresh")([result.slug])
    return result


async def _save(
    doc: ExperimentFile,
    actor: Actor | None,
    amendment: Amendment | None,
    expected_version: int | None,
    from_file: bool,
    correction: str | None,
    source: str,
    event: dict | None = None,
    attached_changed: bool = False,
) -> SaveResult:
    rules.check(doc)
    slug = doc.experiment.slug
    row = await Experiment.select().where(Experiment.slug == slug).first()
    if row is None:
        return await _insert(doc, actor, from_file, source)
    old = _decode(row["document"])
    if actor is not None and not can_edit(actor, owner=old.experiment.service, partners=old.experiment.partner_services):
        raise Forbidden(N_("seules les équipes des services porteur et partenaires peuvent modifier cette expérimentation"))
    head, new_head = old.experiment, doc.experiment
    if (
        actor is not None
        and not actor.is_admin
        and actor.service != head.service
        and (new_head.service != head.service or new_head.partner_services != head.partner_services)
    ):
        raise Forbidden(N_("seule l'équipe du service porteur change le service porteur et les partenaires"))
    if expected_version is not None and expected_version != row["version"]:
        raise Conflict(STALE, "version")
    new = _check_lock(old, doc, row["plan_hash"], amendment, source)
    rules.check(new)
    corrected = evidence.check_frozen(old, new, correction, source)
    if not from_file:
        new = msgspec.structs.replace(new, journal=[])
    if msgspec.structs.replace(new, journal=[]) == old and not attached_changed:
        return SaveResult(slug, created=False, changed=False, experiment_id=row["id"], service_id=row["service"])
    service_id = await _ensure_references(new, create=from_file)
    history = _history(row)
    if new.experiment.status != old.experiment.status:
        history = [*history, {"status": new.experiment.status, "at": now().isoformat()}]
    if event is not None:
        history = [*history, {"status": new.experiment.status, "at": now().isoformat(), **event}]
    changed = await Experiment.update(
        {
            **_columns(new, service_id),
            # Set once, when the plan is first registered; amendments never change it.
            Experiment.registration_hash: row["registration_hash"]
            or (plan_hash(new) if new.experiment.registered_at else None),
            Experiment.status_history: msgspec.json.encode(history).decode(),
            Experiment.updated_at: now(),
            Experiment.version: row["version"] + 1,
        }
    ).where((Experiment.id == row["id"]) & (Experiment.version == row["version"])).returning(Experiment.id)
    if not changed:
        raise Conflict(STALE, "version")
    await _link(row["id"], new)
    await evidence.record_amendments(row["id"], len(old.amendments), len(new.amendments) - len(old.amendments),
                                    source, actor)
    if corrected:
        await evidence.record_correction(row["id"], corrected, correction or "", source, actor)
    return SaveResult(slug, created=False, changed=True, amended=len(new.amendments) - len(old.amendments),
                      corrected=len(corrected),
                      registered=old.experiment.registered_at is None and new.experiment.registered_at is not None,
                      experiment_id=row["id"], service_id=service_id)


def _columns(doc: ExperimentFile, service_id: int) -> dict:
    head = doc.experiment
    return {
        Experiment.title: head.title,
        Experiment.service: service_id,
        Experiment.design: head.design,
        Experiment.status: head.status,
        Experiment.visibility: head.visibility,
        Experiment.document: _encode(doc),
        Experiment.registered_at: head.registered_at,
        Experiment.plan_hash: plan_hash(doc),
        Experiment.intervention: head.intervention,
        Experiment.search_text: _search_text(doc),
        **_review_columns(doc),
    }


def _review_columns(doc: ExperimentFile) -> dict:
    """The columns the management review counts (tal/review), derived from the document."""
    ended = [it.ended_on for it in doc.iterations if it.ended_on and (it.results or it.series or it.panel)]
    first_verdict = min(ended) if ended else None
    decided = doc.decision.decided_on if doc.decision else None
    return {
        Experiment.learning_cards: sum(1 for it in doc.iterations if it.learning),
        Experiment.amendments_major: sum(1 for a in doc.amendments if a.major),
        Experiment.amendments_minor: sum(1 for a in doc.amendments if not a.major),
        Experiment.first_verdict_on: first_verdict,
        Experiment.decided_on: decided,
        Experiment.decision_outcome: doc.decision.outcome if doc.decision else None,
        Experiment.days_to_first_verdict: days_since(doc.experiment.registered_at, first_verdict),
        Experiment.days_to_decision: days_since(doc.experiment.registered_at, decided),
    }


def days_since(registered_at: dt.datetime | None, day: dt.date | None) -> int | None:
    """Days from the registration's date in Paris (UTC when the instant has no offset) to `day`."""
    if registered_at is None or day is None:
        return None
    at = registered_at if registered_at.tzinfo else registered_at.replace(tzinfo=dt.timezone.utc)
    return (day - at.astimezone(TIMEZONE).date()).days


async def _insert(doc: ExperimentFile, actor: Actor | None, from_file: bool, origin: str) -> SaveResult:
    head = doc.experiment
    service_id = await _ensure_references(doc, create=from_file)
    if actor is not None and not can_edit(actor, owner=head.service, partners=head.partner_services):
        raise DomainError(N_("votre service doit être le service porteur ou un service partenaire"), "service")
    experiment = _new_row(doc, service_id, from_file)
    await experiment.save()
    await _link(experiment.id, doc, new=True)
    await evidence.record_amendments(experiment.id, 0, len(doc.amendments), origin, actor)
    return _created(doc, experiment.id, service_id)


def _new_row(doc: ExperimentFile, service_id: int, from_file: bool) -> Experiment:
    head = doc.experiment
    # A file brings its registration date; the other steps are dated by the load.
    source = {"source": "file"} if from_file else {}
    history = [] if head.registered_at else [{"status": "draft", "at": now().isoformat(), **source}]
    if head.registered_at is not None:
        history.append({"status": "registered", "at": head.registered_at.isoformat(), **source})
    if head.status not in ("draft", "registered"):
        history.append({"status": head.status, "at": now().isoformat(), **source})
    columns = _columns(doc, service_id)
    return Experiment(
        **{column._meta.name: value for column, value in columns.items()},
        slug=head.slug,
        registration_hash=columns[Experiment.plan_hash] if head.registered_at else None,
        status_history=msgspec.json.encode(history).decode(),
    )


def _created(doc: ExperimentFile, experiment_id: int, service_id: int) -> SaveResult:
    return SaveResult(doc.experiment.slug, created=True, changed=True, amended=len(doc.amendments),
                      registered=doc.experiment.registered_at is not None, experiment_id=experiment_id,
                      service_id=service_id)


def check(doc: ExperimentFile) -> None:
    """The checks of a document on its own (DomainError naming the key path)."""
    rules.check(doc)


async def create_from_files(docs: list[ExperimentFile]) -> list[SaveResult]:
    """Create the experiments of files whose slugs are not in the database, each
    already checked (`check`), in a few statements for all: the same rows as
    `save(doc, None, from_file=True)` of each in turn."""
    await _ensure_all_references(docs, create=True)
    services = await ids_by_name(Service, Service.name, [d.experiment.service for d in docs])
    rows = [_new_row(doc, services[doc.experiment.service], from_file=True) for doc in docs]
    id_of = {r["slug"]: r["id"] for r in await insert_all(Experiment, rows, Experiment.id, Experiment.slug)}
    ids = [id_of[doc.experiment.slug] for doc in docs]
    await _link_all(list(zip(ids, docs)))
    for experiment_id, doc in zip(ids, docs):
        await evidence.record_amendments(experiment_id, 0, len(doc.amendments), "file", None)
    return [_created(doc, experiment_id, services[doc.experiment.service]) for experiment_id, doc in zip(ids, docs)]


async def ids_of(slugs: list[str]) -> dict[str, int]:
    """The ids of the experiments with these slugs (those that exist), by slug."""
    ids: dict[str, int] = {}
    for start in range(0, len(slugs), 500):
        rows = await Experiment.select(Experiment.id, Experiment.slug).where(
            Experiment.slug.is_in(slugs[start:start + 500]))
        ids.update({r["slug"]: r["id"] for r in rows})
    return ids


async def exists(slug: str) -> bool:
    return await Experiment.exists().where(Experiment.slug == slug)


async def _row(slug: str) -> dict:
    row = await Experiment.select().where(Experiment.slug == slug).first()
    if row is None:
        raise NotFound(N_("aucune expérimentation «\u202f%(slug)s\u202f»"), None, {"slug": slug[:80]})
    return row


async def get(slug: str, actor: Actor | None) -> ExperimentView:
    """The experiment for this reader, or NotFound (also when it may not be read)."""
    row = await _row(slug)
    if not can_read(actor, visibility=row["visibility"], status=row["status"]):
        raise NotFound(N_("aucune expérimentation «\u202f%(slug)s\u202f»"), None, {"slug": slug[:80]})
    doc = _decode(row["document"])
    journal = await extensions.get("entries")(row["id"], actor)
    history = _history(row)
    head = doc.experiment
    return ExperimentView(
        doc=msgspec.structs.replace(doc, journal=journal),
        registration_hash=row["registration_hash"],
        plan_hash=row["plan_hash"],
        plan_matches=plan_hash(doc) == row["plan_hash"],
        status_history=history,
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
        can_edit=can_edit(actor, owner=head.service, partners=head.partner_services),
        can_decide=can_decide(actor),
        events=await evidence.events_of(row["id"], actor),
    )


async def export(slug: str) -> ExperimentFile:
    """The whole document with every journal entry (command line, admins)."""
    row = await _row(slug)
    entries = await extensions.get("entries")(row["id"], everything=True)
    return msgspec.structs.replace(_decode(row["document"]), journal=entries)


async def search(filters: Filters, actor: Actor | None) -> Page[Summary]:
    """The register: every experiment the reader may read, filtered, newest first."""
    where = []
    if actor is None:
        where.append((Experiment.visibility == "public") & (Experiment.status != "draft"))
    if filters.service:
        where.append(Experiment.id.is_in(ExperimentService.select(ExperimentService.experiment).where(
            ExperimentService.service.name == filters.service)))
    if filters.objective:
        where.append(Experiment.id.is_in(ExperimentObjective.select(ExperimentObjective.experiment).where(
            ExperimentObjective.objective.title == filters.objective)))
    if filters.status:
        where.append(Experiment.status == filters.status)
    if filters.design:
        where.append(Experiment.design == filters.design)
    ranked = await fulltext.ranked_ids(Experiment, filters.q)
    count = Experiment.count()
    query = Experiment.select(
        Experiment.id,
        Experiment.slug,
        Experiment.title,
        Experiment.service.name.as_alias("service_name"),
        Experiment.design,
        Experiment.status,
        Experiment.visibility,
        Experiment.registered_at,
        Experiment.updated_at,
    )
    number = max(1, filters.page)
    if ranked is not None:  # a search: most relevant first
        total, ids = await fulltext.ranked_page(Experiment, ranked, where, number, PER_PAGE)
        rows = sorted(await query.where(Experiment.id.is_in(ids or [0])), key=lambda r: ids.index(r["id"]))
        return Page(_summaries(rows), total, number)
    for condition in where:
        count = count.where(condition)
        query = query.where(condition)
    total = await count
    rows = (
        await query.order_by(Experiment.updated_at, ascending=False)
        .order_by(Experiment.id, ascending=False)
        .limit(PER_PAGE)
        .offset((number - 1) * PER_PAGE)
    )
    return Page(_summaries(rows), total, number)


def _summaries(rows: list[dict]) -> list[Summary]:
    return [
        Summary(
            r["slug"], r["title"], r["service_name"], r["design"], r["status"], r["visibility"],
            r["registered_at"], r["updated_at"],
        )
        for r in rows
    ]


async def objective_titles() -> list[str]:
    """The objectives offered in forms: archived ones stay on their experiments but are left out."""
    return [r["title"] for r in await Objective.select(Objective.title).where(
        Objective.archived == False).order_by(Objective.title)]  # noqa: E712


async def transition(slug: str, to: str, actor: Actor, expected_version: int | None = None) -> SaveResult:
    """Move an experiment one step along its lifecycle."""
    row = await _row(slug)
    doc = _decode(row["document"])
    current = doc.experiment.status
    if to not in TRANSITIONS.get(current, ()):
        raise DomainError(N_("passage impossible de «\u202f%(current)s\u202f» à «\u202f%(to)s\u202f»"), "status", {"current": current, "to": to[:40]})
    if to == "decided":
        raise DomainError(N_("la décision se prend avec le formulaire de décision du comité"), "status")
    header = msgspec.structs.replace(doc.experiment, status=to)
    if to == "registered":
        header = msgspec.structs.replace(header, registered_at=now())
    new = msgspec.structs.replace(doc, experiment=header)
    return await save(new, actor, expected_version=expected_version)


async def decide(slug: str, decision: Decision, actor: Actor, expected_version: int | None = None) -> None:
    """The committee records its decision on a concluded experiment.

    « Itérer » sends the experiment back to its team: it runs again and a new
    iteration may be added (the plan changes, if needed, by an amendment). Any other
    decision makes it « décidée ». A previous decision is kept in `decisions`.
    """
    if not can_decide(actor):
        raise Forbidden(N_("seul le comité transversal décide de la suite d'une expérimentation"))
    doc = _decode((await _row(slug))["document"])
    if doc.experiment.status != "concluded":
        raise DomainError(N_("seule une expérimentation conclue peut recevoir une décision"), "status")
    status = "running" if decision.outcome == "iterate" else "decided"
    header = msgspec.structs.replace(doc.experiment, status=status)
    history = [*doc.decisions, doc.decision] if doc.decision else doc.decisions
    new = msgspec.structs.replace(doc, experiment=header, decision=decision, decisions=history)
    # The committee is authorised above; the write itself is the system's.
    await save(new, None, expected_version=expected_version)
