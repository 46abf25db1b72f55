"""Services of the collectivité, accounts and sign-in attempts."""

from piccolo.columns import Boolean, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ROLES = ("agent", "manager", "committee", "admin")


class Service(Table):
    """A service of the collectivité (Population et citoyenneté, Numérique…)."""

    name = Varchar(length=120, unique=True, index=True)


class Account(Table):
    """A signed-in user. The password is stored as a PBKDF2 hash, never in clear."""

    username = Varchar(length=60, unique=True, index=True)
    display_name = Varchar(length=120)
    password_hash = Varchar(length=255)
    role = Varchar(length=20, default="agent")
    service = ForeignKey(references=Service, null=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # SHA-256 of the personal token that lets a feed reader follow the agents' feed.
    feed_token_hash = Varchar(length=64, null=True, default=None, index=True)


class LoginAttempt(Table):
    """One sign-in attempt, kept to rate-limit guessing across processes."""

    key = Varchar(length=200, index=True)
    succeeded = Boolean(default=False)
    at = Timestamptz(default=TimestamptzNow(), index=True)
