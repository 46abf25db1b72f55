"""Drafts and history that stay private: every entry state x every relation to the
entry x every surface (the entry page, its JSON twin, the agents' and public feeds,
the search, the drafts list, the experiment's export in its JSON twin)."""

from __future__ import annotations

import pytest

from conftest import PASSWORD, SAMPLES, text_of
from tal import db
from tal.journal.services import ensure_tags

SLUG = "collecte-biodechets-porte-a-porte"  # public, concluded
READERS = ("author", "coauthor", "colleague", "manager", "other", "committee", "admin", None)
USERNAME = {"author": "agent", "coauthor": "numerique", "colleague": "collegue", "manager": "manager",
            "other": "voirie", "committee": "comite", "admin": "admin"}
STATES = ("draft", "withdrawn_draft", "published", "public", "withdrawn")


def entry(key: str) -> dict:
    return {
        "title": f"Titre {key}",
        "happened_on": "2026-03-20",
        "what_happened": f"Le logiciel a envoyé deux relances. Marqueur{key.replace('_', '')}.",
        "what_we_expected": "Une seule relance.", "contributing_factors": "Un traitement relancé sans contrôle.",
        "what_we_learned": "Vérifier les envois.", "what_we_change": "Un contrôle avant chaque envoi.",
        "what_went_well": "", "tags": ["outil"], "services": ["Numérique"], "experiment": SLUG, "iteration": "", "signed": "",
    }


def readable(state: str, reader: str | None) -> bool:
    """The policy under test, written out."""
    if state in ("draft", "withdrawn_draft"):
        return reader in ("author", "coauthor")
    if state == "public":
        return True
    return reader is not None


@pytest.fixture
async def entries(client, accounts):
    from tal.accounts.services import create_account
    from tal import loader
    from tal.experiments import fileformat

    async with db.transaction():
        await create_account("collegue", PASSWORD, role="agent", service="Population et citoyenneté")
        await loader.load_documents([fileformat.read(SAMPLES / f"{SLUG}.toml")])
        await ensure_tags(["outil"])
    await client.login("agent")
    ids = {}
    for key in STATES:
        action = "draft" if key.endswith("draft") else "publish"
        response = await client.post("/journal/nouvelle", {**entry(key), "action": action})
        assert response.status_code == 303, text_of(response.text)
        ids[key] = int(response.headers["location"].rsplit("/", 1)[1])
    for key in ("draft", "withdrawn_draft"):
        assert (await client.post(f"/journal/{ids[key]}/coauteurs", {"coauthor": "numerique"})).status_code == 303
    assert (await client.post(f"/journal/{ids['withdrawn_draft']}/retirer", {"reason": "Écrit trop tôt"})).status_code == 303
    assert (await client.post(f"/journal/{ids['public']}/public", {"public": "1"})).status_code == 303
    assert (await client.post(f"/journal/{ids['withdrawn']}/retirer", {"reason": "Doublon"})).status_code == 303
    # The published entry is rewritten after publication: its earlier version is the author's only.
    rewritten = {**entry("published"), "what_happened": "Deux relances. Marqueurpublished. Nouvelleformulation.",
                 "action": "draft"}
    assert (await client.post(f"/journal/{ids['published']}/modifier", rewritten)).status_code == 303
    return ids


async def test_every_state_for_every_relation_on_every_surface(client, other_client, entries):
    for reader in READERS:
        await other_client.post("/deconnexion")
        if reader:
            await other_client.login(USERNAME[reader])
        journal_page = (await other_client.get("/journal")).text
        drafts_section = journal_page.split('id="drafts-title"', 1)[1].split("</section>", 1)[0] \
            if 'id="drafts-title"' in journal_page else ""
        agents_feed = await other_client.get("/journal/flux.atom")
        public_feed = (await other_client.get("/journal/public.atom")).text
        export = await other_client.get(f"/api/v1/experiments/{SLUG}")
        assert export.status_code == 200
        exported = " ".join(e["what_happened"] for e in export.json()["document"]["journal"])
        for state in STATES:
            entry_id, marker = entries[state], f"Marqueur{state.replace('_', '')}"
            where = (state, reader)
            can = readable(state, reader)
            shows_text = can and not state.startswith("withdrawn")
            page = await other_client.get(f"/journal/{entry_id}")
            api = await other_client.get(f"/api/v1/journal/{entry_id}")
            assert page.status_code == (200 if can else 404), where
            assert api.status_code == (200 if can else 404), where
            assert (marker in page.text) is shows_text, where
            if can:
                assert (api.json()["what_happened"] is not None and marker in api.json()["what_happened"]) is shows_text
            found = (await other_client.get(f"/api/v1/journal?q={marker}")).json()["total"]
            assert found == (1 if can and state in ("published", "public") else 0), where
            assert (f"/journal/{entry_id}\"" in drafts_section) is (can and state == "draft"), where
            if reader is None:
                assert agents_feed.status_code == 403
            else:
                assert (marker in agents_feed.text) is (state in ("published", "public")), where
            assert (marker in public_feed) is (state == "public"), where
            assert (marker in exported) is (can and state in ("draft", "published", "public")), where
        # Earlier versions of a published entry: its author only, on the page and in the JSON twin.
        page = (await other_client.get(f"/journal/{entries['published']}")).text
        api = await other_client.get(f"/api/v1/journal/{entries['published']}")
        if reader is None:
            assert api.status_code == 404
            continue
        assert ("Voir la version précédente" in page) is (reader == "author"), reader
        assert api.json()["revisions"] == (1 if reader == "author" else 0), reader
        assert "Nouvelleformulation" in page
        assert ("Le logiciel a envoyé deux relances. Marqueurpublished" in page) is (reader == "author"), reader


async def test_a_coauthor_is_an_active_colleague_named_by_the_author_only(client, other_client, entries):
    draft = entries["draft"]
    await other_client.login("numerique")  # a co-author reads, but does not name others
    response = await other_client.post(f"/journal/{draft}/coauteurs", {"coauthor": "voirie"})
    assert response.status_code == 403
    await client.login("agent")
    response = await client.post(f"/journal/{draft}/coauteurs", {"coauthor": "personne"})
    assert response.status_code == 400 and "collègue inconnu" in text_of(response.text)
    assert "Numérique" in text_of((await client.get(f"/journal/{draft}")).text) or \
        "numerique" in text_of((await client.get(f"/journal/{draft}")).text)


async def test_an_edit_after_publication_is_in_the_audit_log_without_its_text(client, entries):
    from tal.audit.tables import AuditEntry

    rows = await AuditEntry.select().where(AuditEntry.action == "journal.revise")
    assert [r["target"] for r in rows] == [str(entries["published"])]
    assert "Marqueurpublished" not in str(rows[0]["detail"])


async def test_a_draft_and_its_actions_stay_out_of_the_review_and_of_other_peoples_space(client, other_client, entries):
    """Mon espace and the review list journal drafts and action items: a draft's title and
    its actions are shown to those who may read the draft only."""
    action = {"description": "Marqueuractionbrouillon", "owner_role": "DSI", "due_on": "2026-04-15"}
    assert (await client.post(f"/journal/{entries['draft']}/actions", action)).status_code == 303
    assert (await client.post(f"/journal/{entries['published']}/actions",
                              {**action, "description": "Marqueuractionpubliee"})).status_code == 303
    for reader in READERS:
        await other_client.post("/deconnexion")
        if reader is None:
            continue
        await other_client.login(USERNAME[reader])
        can = readable("draft", reader)
        space = (await other_client.get("/mon-espace")).text
        same_service = reader in ("author", "colleague", "manager")
        assert ("Titre draft" in space) is can, reader
        assert ("Marqueuractionbrouillon" in space) is (can and same_service), reader
        assert ("Marqueuractionpubliee" in space) is same_service, reader
        review = await other_client.get("/api/v1/review?du=2025-01-01&au=2026-12-31")
        csv = await other_client.get("/revue/csv/actions?du=2025-01-01&au=2026-12-31")
        assert review.status_code == 200 and csv.status_code == 200, reader
        for text in (review.text, csv.text):
            assert "Marqueuractionbrouillon" not in text and "Titre draft" not in text, reader
            assert "Marqueuractionpubliee" in text, reader
