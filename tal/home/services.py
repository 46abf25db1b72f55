"""« Mon espace »: what waits for this person, by role. An agent: their service's
experiments by status, late action items, drafts waiting, entries a colleague asked
them to reread; a manager: the review of their services; the committee: the decision
queue and the next session. Callers open the transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tal.accounts.actor import Actor, can_decide
from tal.committee import services as committee
from tal.journal.services import drafts_readable_by, published_or_readable_by
from tal.journal.tables import JournalAction, JournalEntry
from tal.review import queries
from tal.review import services as review


@dataclass
class Space:
    actor: Actor
    counts: dict[str, int] = field(default_factory=dict)
    late_actions: list[dict] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)
    journal_drafts: list[dict] = field(default_factory=list)
    to_reread: list[dict] = field(default_factory=list)
    review: review.Review | None = None
    queue: list = field(default_factory=list)
    next_session: committee.SessionView | None = None
    committee: bool = False


async def space(actor: Actor, today: dt.date) -> Space:
    s = Space(actor)
    services = (actor.service,) if actor.service else ()
    if services:
        s.counts = await queries.current_status_counts(services)
        s.drafts = await queries.drafts_of(services)
        s.late_actions = await JournalAction.select(
            JournalAction.description, JournalAction.owner_role, JournalAction.due_on,
            JournalAction.entry.id.as_alias("entry"), JournalAction.entry.title.as_alias("entry_title")).where(
            JournalAction.done_at.is_null() & (JournalAction.due_on < today)
            & (JournalAction.entry.team.name == actor.service)
            & JournalAction.entry.is_in(JournalEntry.select(JournalEntry.id).where(published_or_readable_by(actor)))
        ).order_by(JournalAction.due_on).limit(100)
        s.journal_drafts = await JournalEntry.select(JournalEntry.id, JournalEntry.title, JournalEntry.updated_at).where(
            drafts_readable_by(actor)).order_by(
            JournalEntry.updated_at).limit(100)
    s.to_reread = await JournalEntry.select(JournalEntry.id, JournalEntry.title, JournalEntry.team.name.as_alias(
        "team")).where((JournalEntry.state == "draft") & (JournalEntry.reviewer == actor.id)).order_by(
        JournalEntry.updated_at).limit(100)
    if actor.role in ("manager", "admin"):
        s.review = await review.review(review.filters(services=list(services), today=today), today)
    if can_decide(actor):
        s.committee = True
        s.queue = await committee.proposals()
        s.next_session = await committee.next_session(today)
    return s
