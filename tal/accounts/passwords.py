"""Password hashing: PBKDF2-SHA256, run in a worker thread, compared in constant time."""

from __future__ import annotations

import asyncio
import base64
import functools
import gzip
import hashlib
import hmac
import os
import secrets
import weakref
from pathlib import Path

import anyio.to_thread

ALGORITHM = "pbkdf2_sha256"
ITERATIONS = 600_000


def hash_password_sync(password: str, *, iterations: int | None = None, salt: bytes | None = None) -> str:
    iterations = iterations or ITERATIONS
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return "$".join([ALGORITHM, str(iterations), base64.b64encode(salt).decode(), base64.b64encode(digest).decode()])


def verify_password_sync(password: str, stored: str) -> bool:
    try:
        algorithm, iterations, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algorithm != ALGORITHM:
        return False
    candidate = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    return hmac.compare_digest(candidate, base64.b64decode(digest))


# Hashing runs in worker threads, at most one per core at a time: 200 sign-ins at
# once queue here instead of starving the event loop (and every other request).
# One limiter per event loop (a limiter belongs to the loop it was made in).
_HASHING: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _hashing() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    if loop not in _HASHING:
        _HASHING[loop] = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))
    return _HASHING[loop]


async def hash_password(password: str) -> str:
    """Hash off the event loop (about 0.4 s of CPU)."""
    return await anyio.to_thread.run_sync(hash_password_sync, password, limiter=_hashing())


async def verify_password(password: str, stored: str) -> bool:
    return await anyio.to_thread.run_sync(verify_password_sync, password, stored, limiter=_hashing())


# A hash to compare against when the account does not exist, so that the time
# taken does not tell whether a user name exists.
DUMMY_HASH = hash_password_sync("tal-dummy-password", salt=b"0123456789abcdef")


MIN_LENGTH = 12
# The 10,000 most common passwords, from the list Django ships
# (django/contrib/auth/common-passwords.txt.gz, BSD licence; itself from
# https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce).
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@functools.cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def weakness(password: str, username: str) -> str | None:
    """Why this password is refused (a French message), or None."""
    if "\x00" in password:
        return "le mot de passe ne peut pas contenir de caractère nul"
    if len(password) < MIN_LENGTH:
        return f"au moins {MIN_LENGTH} caractères"
    if len(password) > 1024:
        return "1 024 caractères au plus"
    lowered = password.lower()
    if len(set(lowered)) == 1:
        return "pas un seul caractère répété"
    if lowered == username.lower():
        return "différent du nom d'utilisateur"
    if lowered in common_passwords():
        return "ce mot de passe fait partie des plus courants : choisissez-en un autre"
    return None
