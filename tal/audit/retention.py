"""Keep the audit log for TAL_AUDIT_DAYS: prune at start-up, then once a day."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from tal import db
from tal.audit.services import prune

log = logging.getLogger("tal")
EVERY_S = 24 * 3600


class AuditRetention:
    """Started and stopped with the application (one per process; pruning twice is harmless)."""

    def __init__(self, days: int, every_s: float = EVERY_S) -> None:
        self.days = days
        self.every_s = every_s
        self._task: asyncio.Task | None = None

    async def prune_now(self) -> int:
        async with db.transaction():
            return await prune(self.days)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.every_s)
            try:
                await self.prune_now()
            except Exception:  # a failed pruning must not stop the next one
                log.exception("audit log pruning failed")

    async def start(self) -> None:
        await self.prune_now()
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
