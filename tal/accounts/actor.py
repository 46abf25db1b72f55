"""Who is making a request, and what they may do.

Reading: every signed-in agent reads every experiment of every service (no silos);
a visitor reads only what is public. Writing: the teams of the owning and partner
services, managers of the owning service and admins. Deciding: the committee and
admins.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    id: int
    username: str
    display_name: str
    role: str
    service: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def can_read(actor: Actor | None, *, visibility: str, status: str) -> bool:
    if actor is not None:
        return True
    return visibility == "public" and status != "draft"


def can_edit(actor: Actor | None, *, owner: str, partners: list[str]) -> bool:
    if actor is None:
        return False
    if actor.is_admin:
        return True
    return actor.service is not None and (actor.service == owner or actor.service in partners)


def can_decide(actor: Actor | None) -> bool:
    return actor is not None and actor.role in ("committee", "admin")


def can_create(actor: Actor | None) -> bool:
    return actor is not None and (actor.service is not None or actor.is_admin)
