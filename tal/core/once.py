"""One computation per key at a time: callers arriving while it runs wait for its end,
then look again for what it left (in a cache) before computing it themselves."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Hashable


class Once:
    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Event] = {}

    async def wait(self, key: Hashable) -> None:
        """Return when no computation of `key` runs (at once when none does)."""
        running = self._running.get(key)
        if running is not None:
            await running.wait()

    @contextlib.asynccontextmanager
    async def computing(self, key: Hashable) -> AsyncIterator[None]:
        """Mark `key` as being computed while the block runs, however it ends."""
        done = self._running[key] = asyncio.Event()
        try:
            yield
        finally:
            done.set()
            if self._running.get(key) is done:
                del self._running[key]
