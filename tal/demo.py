"""The demo start: sample experiments and one account per role."""

from __future__ import annotations

import secrets

from tal.accounts.passwords import hash_password
from tal.accounts.services import create_account, ensure_service
from tal.accounts.tables import Account
from tal import loader
from tal.experiments import fileformat, services
from tal.settings import SAMPLES_DIR

SAMPLES = SAMPLES_DIR
DEMO_ACCOUNTS = [
    ("agent", "agent", "Population et citoyenneté", "Agent de démonstration"),
    ("manager", "manager", "Population et citoyenneté", "Encadrante de démonstration"),
    ("comite", "committee", "Direction générale des services", "Comité de démonstration"),
    ("admin", "admin", "Numérique", "Administration de démonstration"),
]


async def load_samples() -> list[services.SaveResult]:
    docs = [fileformat.read(path) for path in fileformat.collect([SAMPLES])]
    return await loader.load_documents(docs)


async def reset_demo_accounts() -> list[tuple[str, str, str]]:
    """Create the demo accounts, or give them new passwords; returns (user, role, password)."""
    credentials = []
    for username, role, service, name in DEMO_ACCOUNTS:
        password = secrets.token_urlsafe(12)
        if await Account.exists().where(Account.username == username):
            await Account.update(
                {Account.password_hash: await hash_password(password), Account.role: role,
                 Account.service: await ensure_service(service), Account.active: True,
                 Account.session_generation: Account.session_generation + 1}
            ).where(Account.username == username)
        else:
            await create_account(username, password, role=role, service=service, display_name=name)
        credentials.append((username, role, password))
    return credentials
