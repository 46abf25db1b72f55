"""A short cache of the actors of live sessions, by account and session generation.

Reading the session would otherwise cost a database query on every request. An actor
is kept TTL_S seconds: a change of an account made in this process (sign-out, password,
role, deactivation, creation) empties the cache at once; another process sees it
within TTL_S seconds (its next lookup reads the new session generation)."""

from __future__ import annotations

import time

from tal.accounts.actor import Actor

TTL_S = 2.0
MAX_SIZE = 10_000
_actors: dict[tuple, tuple[float, Actor]] = {}


def recall(key: tuple) -> Actor | None:
    hit = _actors.get(key)
    if hit is None or hit[0] < time.monotonic():
        return None
    return hit[1]


def remember(key: tuple, actor: Actor) -> None:
    if len(_actors) >= MAX_SIZE:
        _actors.clear()
    _actors[key] = (time.monotonic() + TTL_S, actor)


def forget() -> None:
    _actors.clear()
