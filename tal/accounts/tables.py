"""Services of the collectivité, accounts and sign-in attempts."""

from piccolo.columns import Boolean, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

ROLES = ("agent", "manager", "committee", "admin")


class Service(Table):
    """A service of the collectivité (Population et citoyenneté, Numérique…)."""

    name = Varchar(length=120, unique=True, index=True)
    # An archived service stays on past experiments and entries but is no longer offered.
    archived = Boolean(default=False, index=True)


class Account(Table):
    """A signed-in user. The password is stored as a PBKDF2 hash, never in clear."""

    username = Varchar(length=60, unique=True, index=True)
    display_name = Varchar(length=120)
    password_hash = Varchar(length=255)
    role = Varchar(length=20, default="agent")
    service = ForeignKey(references=Service, null=True, index=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # SHA-256 of the personal token that lets a feed reader follow the agents' feed.
    feed_token_hash = Varchar(length=64, null=True, default=None, index=True)
    # Carried by every session cookie; incremented to end all sessions of the
    # account at once (sign-out, password change, deactivation), in every process.
    session_generation = Integer(default=0)
    # ProConnect: the provider's subject identifier, what later sign-ins match on.
    # Unique through the index `account_oidc_subject_unique` (its migration).
    oidc_subject = Varchar(length=255, null=True, default=None)
    # An admin may turn password sign-in off for an account that uses ProConnect.
    password_sign_in = Boolean(default=True)


class LoginThrottle(Table):
    """Failed sign-ins counted per key (an account and address pair, or an address),
    updated under a row lock so that concurrent attempts are counted exactly."""

    key = Varchar(length=200, unique=True, index=True)
    failures = Integer(default=0)
    window_start = Timestamptz(default=TimestamptzNow())
    locked_until = Timestamptz(null=True, default=None)


class ApiToken(Table):
    """A personal API token: only its SHA-256 is kept; shown once, when created."""

    account = ForeignKey(references=Account, index=True)
    name = Varchar(length=80)
    token_hash = Varchar(length=64, unique=True, index=True)
    # The first characters, to tell tokens apart on the account page.
    prefix = Varchar(length=12)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    last_used_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    # Fixed-window rate limit, shared by every process through the database.
    window_start = Timestamptz(null=True, default=None)
    window_count = Integer(default=0)


class PasswordReset(Table):
    """A one-time password reset link an admin hands over: only its SHA-256 is kept;
    valid 24 hours, used once."""

    account = ForeignKey(references=Account, index=True)
    token_hash = Varchar(length=64, unique=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
