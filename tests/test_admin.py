"""Administration through its pages, JSON twins and command line: accounts (search,
create with a one-time link, role, service, deactivate, reactivate), services
(create, rename, merge, archive) and strategic objectives; bad input refused with
nothing written; every change in the audit log."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import PASSWORD, SAMPLES, text_of
from tal import db
from tal.accounts.tables import Account, PasswordReset, Service
from tal.audit.tables import AuditEntry
from tal.experiments.tables import Objective

SLUG = "collecte-biodechets-porte-a-porte"
OWNER = "Prévention et gestion des déchets"


async def actions() -> list[tuple[str, str]]:
    return [(r["action"], r["target"]) for r in await AuditEntry.select(AuditEntry.action, AuditEntry.target)
            .where(AuditEntry.action.is_in(["service.create", "service.rename", "service.merge", "service.archive",
                                            "objective.create", "objective.rename", "objective.archive",
                                            "account.create", "account.role", "account.service",
                                            "account.deactivate", "account.reactivate", "account.reset_link",
                                            "account.password"])).order_by(AuditEntry.id)]


async def load_sample() -> None:
    from tal import loader
    from tal.experiments import fileformat

    async with db.transaction():
        await loader.load_documents([fileformat.read(SAMPLES / f"{SLUG}.toml")])


@pytest.mark.parametrize("url", ["/admin/comptes", "/admin/services", "/admin/objectifs", "/api/v1/admin/comptes",
                                 "/admin/comptes/agent"])
async def test_only_admins_reach_the_administration(client, accounts, url):
    await client.login("manager")
    assert (await client.get(url)).status_code == 403
    response = await client.post("/admin/services/creer", {"name": "Service pirate"})
    assert response.status_code == 403 and not await Service.exists().where(Service.name == "Service pirate")


async def test_an_admin_creates_an_account_whose_owner_chooses_a_password_once(client, other_client, accounts):
    await client.login("admin")
    response = await client.post("/admin/comptes", {"username": "lucie", "name": "Lucie Martin", "role": "agent",
                                                    "service": "Numérique"})
    assert response.status_code == 200
    link = text_of(response.text).split("http://testserver", 1)[1].split()[0]
    assert link.startswith("/reinitialisation/")
    page = await other_client.get(link)
    assert page.status_code == 200 and "lucie" in text_of(page.text)
    mismatch = await other_client.post(link, {"password": "cheval-agrafe-batterie", "confirm": "autre chose"})
    assert mismatch.status_code == 400 and "diffèrent" in text_of(mismatch.text)
    done = await other_client.post(link, {"password": "cheval-agrafe-batterie", "confirm": "cheval-agrafe-batterie"})
    assert done.status_code == 200 and "Mot de passe enregistré" in text_of(done.text)
    await other_client.login("lucie", "cheval-agrafe-batterie")
    again = await other_client.post(link, {"password": "autre-phrase-secrete", "confirm": "autre-phrase-secrete"})
    assert again.status_code == 400 and "déjà servi" in text_of(again.text)
    # An expired link: 24 hours.
    response = await client.post("/admin/comptes/lucie/lien")
    link = text_of(response.text).split("http://testserver", 1)[1].split()[0]
    await PasswordReset.update({PasswordReset.expires_at: dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)}
                               ).where(PasswordReset.used_at.is_null())
    expired = await other_client.post(link, {"password": "autre-phrase-secrete", "confirm": "autre-phrase-secrete"})
    assert expired.status_code == 400 and "expiré" in text_of(expired.text)
    assert (await other_client.get("/reinitialisation/inconnu")).status_code == 404
    assert ("account.create", "lucie") in await actions() and ("account.reset_link", "lucie") in await actions()


async def test_accounts_are_searched_and_filtered_on_the_page_and_its_json_twin(client, accounts):
    await client.login("admin")
    api = (await client.get("/api/v1/admin/comptes?role=agent")).json()
    assert sorted(a["username"] for a in api) == ["agent", "numerique", "voirie"]
    api = (await client.get("/api/v1/admin/comptes?service=Numérique")).json()
    assert [a["username"] for a in api] == ["numerique"]
    page = text_of((await client.get("/admin/comptes?q=vOiR")).text)
    assert "voirie" in page and "numerique" not in page
    await client.post("/admin/comptes/voirie/desactiver")
    api = (await client.get("/api/v1/admin/comptes?etat=inactive")).json()
    assert [a["username"] for a in api] == ["voirie"]


async def test_role_service_deactivation_and_bad_input(client, other_client, accounts):
    await client.login("admin")
    assert (await client.post("/admin/comptes/agent/role", {"role": "manager"})).status_code == 303
    assert (await client.post("/admin/comptes/agent/service", {"service": "Numérique"})).status_code == 303
    row = await Account.select(Account.role, Account.service.name).where(Account.username == "agent").first()
    assert row == {"role": "manager", "service.name": "Numérique"}
    for action, data, message in [("role", {"role": "chef"}, "rôle inconnu"),
                                  ("service", {"service": "Service inexistant"}, "service inconnu"),
                                  ("desactiver", {}, "dernier compte administrateur"),
                                  ("role", {"role": "agent"}, "dernier compte administrateur")]:
        target = "admin" if "dernier" in message else "agent"
        response = await client.post(f"/admin/comptes/{target}/{action}", data)
        assert response.status_code == 400 and message in text_of(response.text), action
    row = await Account.select(Account.role, Account.service.name).where(Account.username == "agent").first()
    assert row == {"role": "manager", "service.name": "Numérique"}
    assert await Account.exists().where((Account.username == "admin") & (Account.active == True))  # noqa: E712
    assert not await Service.exists().where(Service.name == "Service inexistant")
    await other_client.login("voirie")
    assert (await client.post("/admin/comptes/voirie/desactiver")).status_code == 303
    assert (await other_client.get("/compte/jetons")).status_code == 403  # its sessions ended
    assert (await client.post("/admin/comptes/voirie/reactiver")).status_code == 303
    await other_client.login("voirie")
    assert (await client.get("/admin/comptes/personne")).status_code == 404
    assert [a for a in await actions() if a[0] != "account.create"] == [("account.role", "agent"), ("account.service", "agent"),
                               ("account.deactivate", "voirie"), ("account.reactivate", "voirie")]


async def test_services_are_created_renamed_merged_and_archived(client, accounts):
    from tal.accounts.services import service_names

    await load_sample()
    await client.login("agent")  # Population et citoyenneté
    entry = await client.post("/journal/nouvelle", {
        "title": "Relances en double", "happened_on": "2026-03-20", "what_happened": "Le logiciel a relancé deux fois.",
        "what_we_expected": "", "contributing_factors": "", "what_we_learned": "", "what_we_change": "",
        "what_went_well": "", "services": [OWNER], "experiment": "", "iteration": "", "signed": "", "action": "publish"})
    assert entry.status_code == 303, text_of(entry.text)
    await client.login("admin")
    assert (await client.post("/admin/services/creer", {"name": "Transition écologique"})).status_code == 303
    assert (await client.post("/admin/services/creer", {"name": "Transition écologique"})).status_code == 400
    response = await client.post("/admin/services/renommer", {"name": OWNER, "new_name": "Déchets"})
    assert response.status_code == 303
    document = (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]
    assert document["experiment"]["service"] == "Déchets"
    titles = [e["title"] for e in (await client.get("/api/v1/journal?service=Déchets")).json()["items"]]
    assert "Relances en double" in titles and len(titles) == 2  # with the sample's own entry
    same = await client.post("/admin/services/fusionner", {"source": "Déchets", "target": "Déchets"})
    assert same.status_code == 400 and "lui-même" in text_of(same.text)
    merged = await client.post("/admin/services/fusionner", {"source": "Déchets", "target": "Transition écologique"})
    assert merged.status_code == 303
    assert (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]["experiment"]["service"] == \
        "Transition écologique"
    assert [e["slug"] for e in (await client.get("/api/v1/experiments?service=Transition écologique")).json()["items"]] \
        == [SLUG]
    assert (await client.get("/api/v1/journal?service=Transition écologique")).json()["total"] == 2
    # Merging a team moves its accounts and the entries it wrote.
    merged = await client.post("/admin/services/fusionner", {"source": "Population et citoyenneté",
                                                             "target": "Transition écologique"})
    assert merged.status_code == 303
    assert (await Account.select(Account.service.name).where(Account.username == "agent").first())[
        "service.name"] == "Transition écologique"
    assert not await Service.exists().where(Service.name.is_in(["Déchets", "Population et citoyenneté"]))
    assert (await client.post("/admin/services/archiver", {"name": "Numérique"})).status_code == 303
    async with db.transaction(write=False):
        assert "Numérique" not in await service_names()
    services = {s["name"]: s for s in (await client.get("/api/v1/admin/services")).json()}
    assert services["Numérique"]["archived"] and services["Transition écologique"]["accounts"] == 2
    assert (await client.post("/admin/comptes", {"username": "paul", "role": "agent",
                                                 "service": "Numérique"})).status_code == 400
    assert [a for a, _ in await actions() if a != "account.create"] == ["service.create", "service.rename", "service.merge", "service.merge",
                                               "service.archive"]


async def test_objectives_are_created_edited_and_archived_but_stay_on_their_experiments(client, accounts):
    from tal.experiments.services import objective_titles

    await load_sample()
    document = (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]
    [old] = document["experiment"]["objectives"][:1]
    await client.login("admin")
    assert (await client.post("/admin/objectifs/creer", {"title": "Sobriété énergétique"})).status_code == 303
    assert (await client.post("/admin/objectifs/creer", {"title": "a|b"})).status_code == 400
    too_long = await client.post("/admin/objectifs/creer", {"title": "O" * 250})
    assert too_long.status_code == 400 and "200 caractères au plus" in text_of(too_long.text)
    assert not await Objective.exists().where(Objective.title.like("OOO%"))
    assert (await client.post("/admin/objectifs/modifier", {"title": old, "new_title": "Réduire les déchets"})
            ).status_code == 303
    document = (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]
    assert "Réduire les déchets" in document["experiment"]["objectives"]
    assert (await client.post("/admin/objectifs/archiver", {"title": "Réduire les déchets"})).status_code == 303
    async with db.transaction(write=False):
        offered = await objective_titles()
    assert "Réduire les déchets" not in offered and "Sobriété énergétique" in offered
    document = (await client.get(f"/api/v1/experiments/{SLUG}")).json()["document"]
    assert "Réduire les déchets" in document["experiment"]["objectives"]
    assert (await client.get("/api/v1/admin/objectifs")).json()[0] == {"title": "Réduire les déchets",
                                                                        "archived": True}
    assert [a for a, _ in await actions() if a != "account.create"] == ["objective.create", "objective.rename", "objective.archive"]


def test_service_commands_and_the_last_admin_on_the_command_line(database, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import PG_URL, ROOT, TMP

    url = PG_URL if database == "postgresql" else f"sqlite:///{TMP / 'tests.sqlite'}"
    env = {**os.environ, "TAL_DATABASE_URL": url, "TAL_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}

    def tal(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tal.cli", *args], input=stdin, capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)

    assert tal("service", "create", "Finances").returncode == 0
    assert tal("service", "create", "Achats").returncode == 0
    assert tal("service", "rename", "Achats", "Commande publique").returncode == 0
    same = tal("service", "merge", "Finances", "Finances")
    assert same.returncode == 1 and "lui-même" in same.stderr and "Traceback" not in same.stderr
    unknown = tal("service", "merge", "Nulle part", "Finances")
    assert unknown.returncode == 1 and "service inconnu" in unknown.stderr
    assert tal("user", "create", "boss", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n").returncode == 0
    last = tal("user", "deactivate", "boss")
    assert last.returncode == 1 and "dernier compte administrateur" in last.stderr
    merged = tal("service", "merge", "Commande publique", "Finances")
    assert merged.returncode == 0, merged.stderr
    listed = tal("service", "list").stdout
    assert "Finances" in listed and "Commande publique" not in listed


async def test_an_admin_turns_password_sign_in_off_and_on_for_an_account(client, other_client, accounts):
    await client.login("admin")
    # Without ProConnect, an account without its password could not sign in at all: refused.
    unlinked = await client.post("/admin/comptes/voirie/mot-de-passe", {"allowed": "0"})
    assert unlinked.status_code == 400 and "pas relié à ProConnect" in text_of(unlinked.text)
    async with db.transaction():
        await Account.update({Account.oidc_subject: "sub-voirie"}).where(Account.username == "voirie")
    assert (await client.post("/admin/comptes/voirie/mot-de-passe", {"allowed": "0"})).status_code == 303
    refused = await other_client.post("/connexion", {"username": "voirie", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Autoriser la connexion par mot de passe" in text_of((await client.get("/admin/comptes/voirie")).text)
    assert (await client.post("/admin/comptes/voirie/mot-de-passe", {"allowed": "1"})).status_code == 303
    await other_client.login("voirie")
    rows = await AuditEntry.select(AuditEntry.detail).where(AuditEntry.action == "account.password_sign_in")
    details = [json.loads(r["detail"]) if isinstance(r["detail"], str) else r["detail"] for r in rows]
    assert [d["allowed"] for d in details] == [False, True]


async def test_the_last_admin_who_can_sign_in_cannot_be_locked_out(client, accounts):
    """An admin without password sign-in and without ProConnect does not count as the
    « other admin » that would allow deactivating the last one who can sign in."""
    await client.login("admin")
    assert (await client.post("/admin/comptes/voirie/role", {"role": "admin"})).status_code == 303
    async with db.transaction():  # an admin account that can no longer sign in
        await Account.update({Account.password_sign_in: False}).where(Account.username == "voirie")
    refused = await client.post("/admin/comptes/admin/desactiver", {})
    assert refused.status_code == 400 and "dernier compte administrateur" in text_of(refused.text)
    async with db.transaction():
        await Account.update({Account.oidc_subject: "sub-admin"}).where(Account.username == "admin")
    itself = await client.post("/admin/comptes/admin/mot-de-passe", {"allowed": "0"})
    assert itself.status_code == 400 and "dernier compte administrateur" in text_of(itself.text)
    assert await Account.count().where((Account.username == "admin") & (Account.active == True)  # noqa: E712
                                       & (Account.password_sign_in == True)) == 1  # noqa: E712
