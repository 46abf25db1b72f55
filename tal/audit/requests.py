"""Record an audit event for a request: the acting account and the client's address."""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar import Request

from tal.audit.services import record

if TYPE_CHECKING:  # the audit log knows accounts only by their id
    from tal.accounts.actor import Actor


def address_of(request: Request) -> str | None:
    return request.client.host if request.client else None


async def record_request(request: Request, actor: Actor | None, action: str, target: str,
                         detail: dict | None = None) -> None:
    """Call inside the write's transaction, so that the event is kept exactly when the change is."""
    await record(action, account_id=actor.id if actor else None, address=address_of(request), target=target,
                 detail=detail)
