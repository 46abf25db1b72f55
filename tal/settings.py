"""Every TAL_* environment variable, read once.

| variable | meaning | default |
| --- | --- | --- |
| TAL_DATABASE_URL | sqlite:///path/file.sqlite or postgresql://user@host:port/db | sqlite:///tal-data/tal.sqlite |
| TAL_DATA_DIR | folder for the SQLite file and the generated secret key | ./tal-data |
| TAL_SECRET_KEY | signs and encrypts session cookies (32+ characters) | generated once, kept in TAL_DATA_DIR |
| TAL_ORG_NAME | the collectivité's name, shown in the header | Ville d'Exemple-sur-Loire |
| TAL_ORG_COLOR | the collectivité's main colour (#rrggbb, dark enough for white text) | #1f4e79 |
| TAL_ORG_ACCENT | the accent colour (#rrggbb) | #b3461b |
| TAL_SECURE_COOKIES | 1 to mark cookies Secure and send HSTS (behind HTTPS) | 0 |
| TAL_SESSION_HOURS | a session ends this many hours after sign-in, whatever happens | 8 |
| TAL_SESSION_IDLE_MINUTES | a session ends after this many minutes without a request | 60 |
| TAL_AUDIT_DAYS | audit log entries are deleted after this many days | 365 |
| FORWARDED_ALLOW_IPS | comma-separated addresses of the reverse proxies whose X-Forwarded-For is trusted | none |
| TAL_BAROMETER_MIN | fewest answers for a barometer group's results to be shown (5 to 1000) | 10 |
| TAL_IMPORT_MAX_MB | largest CSV file accepted by the import (command line and upload), in MB | 200 |
| TAL_TEST_DATABASE_URL | tests only: also run the database tests on this PostgreSQL | unset |
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent


def _bundled(installed: str, checkout: str) -> Path:
    """A top-level folder of the checkout, or its copy inside an installed wheel
    (setup.py ships `templates/` as `tal/templates/`, `experiments/` as `tal/samples/`)."""
    inside = PACKAGE / installed
    return inside if inside.is_dir() else PROJECT_ROOT / checkout


TEMPLATES_DIR = _bundled("templates", "templates")
SAMPLES_DIR = _bundled("samples", "experiments")
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


class SettingsError(ValueError):
    """A TAL_* variable has a value TAL cannot use."""


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    secret_key: str
    org_name: str
    org_color: str
    org_accent: str
    secure_cookies: bool
    barometer_min: int = 10
    import_max_mb: int = 200
    session_hours: int = 8
    session_idle_minutes: int = 60
    audit_days: int = 365
    forwarded_allow_ips: frozenset[str] = frozenset()
    # ProConnect (OpenID Connect): enabled when issuer, client id and secret are all set.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    # e-mail domain -> service of the active agent account its first sign-in creates.
    oidc_domains: tuple[tuple[str, str], ...] = ()

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///").removeprefix("sqlite://"))


def _secret_key(data_dir: Path) -> str:
    given = os.environ.get("TAL_SECRET_KEY")
    if given:
        if len(given) < 32:
            raise SettingsError("TAL_SECRET_KEY doit compter au moins 32 caractères.")
        return given
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _color(name: str, default: str) -> str:
    value = os.environ.get(name, default)
    if not _COLOR.match(value):
        raise SettingsError(f"{name} doit être une couleur de la forme #1f4e79 (reçu : {value!r}).")
    return value


def _barometer_min() -> int:
    value = os.environ.get("TAL_BAROMETER_MIN", "10").strip()
    if not value.isdigit() or not 5 <= int(value) <= 1000:
        raise SettingsError(f"TAL_BAROMETER_MIN doit être un entier de 5 à 1000 (reçu : {value!r}).")
    return int(value)


def _positive(name: str, default: int, maximum: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or not 1 <= int(value[:9]) <= maximum:
        raise SettingsError(f"{name} doit être un entier entre 1 et {maximum} (reçu : {value[:40]!r}).")
    return int(value)


def _addresses(name: str) -> frozenset[str]:
    import ipaddress

    items = [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_address(item)
        except ValueError:
            raise SettingsError(f"{name} : adresse IP invalide {item[:60]!r}.") from None
    return frozenset(items)


def _oidc_domains() -> tuple[tuple[str, str], ...]:
    """TAL_OIDC_DOMAINS: `domain=Service` pairs separated by commas."""
    pairs = []
    for item in os.environ.get("TAL_OIDC_DOMAINS", "").split(","):
        if not item.strip():
            continue
        domain, _, service = item.partition("=")
        domain, service = domain.strip().lower(), service.strip()
        if not domain or "@" in domain or not service:
            raise SettingsError(f"TAL_OIDC_DOMAINS : « domaine=Service » attendu (reçu : {item[:80]!r}).")
        pairs.append((domain, service[:120]))
    return tuple(pairs)


def _oidc_issuer() -> str:
    issuer = os.environ.get("TAL_OIDC_ISSUER", "").strip().rstrip("/")
    if issuer and not issuer.startswith(("https://", "http://localhost", "http://127.0.0.1")):
        raise SettingsError("TAL_OIDC_ISSUER doit être une adresse https:// (reçu : %r)." % issuer[:80])
    return issuer


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("TAL_DATA_DIR", "tal-data")).resolve()
    url = os.environ.get("TAL_DATABASE_URL") or f"sqlite:///{data_dir / 'tal.sqlite'}"
    if not url.startswith(("sqlite:", "postgresql:", "postgres:")):
        raise SettingsError("TAL_DATABASE_URL doit commencer par sqlite:/// ou postgresql://.")
    return Settings(
        database_url=url,
        data_dir=data_dir,
        secret_key=_secret_key(data_dir),
        org_name=os.environ.get("TAL_ORG_NAME", "Ville d'Exemple-sur-Loire")[:120],
        org_color=_color("TAL_ORG_COLOR", "#1f4e79"),
        org_accent=_color("TAL_ORG_ACCENT", "#b3461b"),
        secure_cookies=os.environ.get("TAL_SECURE_COOKIES", "0") == "1",
        barometer_min=_barometer_min(),
        import_max_mb=_positive("TAL_IMPORT_MAX_MB", 200, 100_000),
        session_hours=_positive("TAL_SESSION_HOURS", 8, 24 * 30),
        session_idle_minutes=_positive("TAL_SESSION_IDLE_MINUTES", 60, 24 * 60 * 30),
        audit_days=_positive("TAL_AUDIT_DAYS", 365, 365 * 100),
        forwarded_allow_ips=_addresses("FORWARDED_ALLOW_IPS"),
        oidc_issuer=_oidc_issuer(),
        oidc_client_id=os.environ.get("TAL_OIDC_CLIENT_ID", "").strip()[:200],
        oidc_client_secret=os.environ.get("TAL_OIDC_CLIENT_SECRET", "").strip()[:500],
        oidc_domains=_oidc_domains(),
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    """The settings, read from the environment on first use."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    """Forget the settings read so far (tests change the environment)."""
    global _settings
    _settings = None
