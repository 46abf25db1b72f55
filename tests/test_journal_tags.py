"""An author creates new tags from the journal entry form: trimmed, the same tag whatever
the case, limited in length, number and characters; bad input writes nothing (issue 12)."""

from __future__ import annotations

import pytest

from conftest import names_field, text_of
from tal.journal.tables import JournalEntry, JournalEntryTag, Tag
from test_journal_web import ENTRY, tags, write  # noqa: F401 (fixture)


async def vocabulary() -> list[str]:
    return [r["name"] for r in await Tag.select(Tag.name).order_by(Tag.name)]


async def tags_of(entry_id: int) -> list[str]:
    rows = await JournalEntryTag.select(JournalEntryTag.tag.name).where(JournalEntryTag.entry == entry_id)
    return sorted(r["tag.name"] for r in rows)


async def test_new_tags_are_normalised_created_once_and_linked(client, accounts, tags):
    await client.login("agent")
    page = (await client.get("/journal/nouvelle")).text
    assert 'name="new_tags"' in page and '<label for="f-new_tags">Nouvelles étiquettes</label>' in page
    entry_id = await write(client, new_tags="  Accueil   téléphonique , OUTIL; accueil téléphonique, l'équipe-B ")
    # « OUTIL » is the existing « outil »; the two spellings of the new one make one tag.
    assert await vocabulary() == ["Accueil téléphonique", "l'équipe-B", "outil", "prestataire", "processus"]
    assert await tags_of(entry_id) == ["Accueil téléphonique", "l'équipe-B", "outil"]
    assert (await JournalEntry.select(JournalEntry.tags).where(JournalEntry.id == entry_id).first())["tags"]
    # Another author writing it in capitals gets the same tag, and it is now in the list.
    other = await write(client, new_tags="ACCUEIL TÉLÉPHONIQUE")
    assert await tags_of(other) == ["Accueil téléphonique", "outil"]
    assert len(await vocabulary()) == 5
    page = (await client.get("/journal/nouvelle")).text
    assert 'value="Accueil téléphonique"' in page
    assert text_of((await client.get(f"/journal/{other}")).text).count("Accueil téléphonique") >= 1


@pytest.mark.parametrize("value, message", [
    ("x" * 41, "une étiquette a 40 caractères au plus"),
    ("budget<script>", "une étiquette ne contient que des lettres"),
    ("-tiret", "une étiquette ne contient que des lettres"),
    ("a, b, c, d, e, f", "5 nouvelles étiquettes au plus à la fois"),
    ("a" * 401, "400 caractères au plus"),
])
async def test_bad_new_tags_are_refused_with_the_field_named(client, accounts, tags, value, message):
    await client.login("agent")
    response = await client.post("/journal/nouvelle", {**ENTRY, "new_tags": value, "action": "publish"})
    assert response.status_code == 400
    assert names_field(response.text, "new_tags")
    assert message in text_of(response.text) and "budget<script>" not in response.text  # escaped
    assert await JournalEntry.count() == 0 and await vocabulary() == ["outil", "prestataire", "processus"]


async def test_an_entry_has_twenty_tags_at_most_and_english_says_so(client, accounts, tags):
    from tal import db
    from tal.journal.services import ensure_tags

    names = [f"thème {i}" for i in range(18)]
    async with db.transaction():
        await ensure_tags(names)
    await client.login("agent")
    await client.post("/langue", {"lang": "en"})
    response = await client.post("/journal/nouvelle", {**ENTRY, "tags": ["outil", *names], "new_tags": "nouveau, autre",
                                                       "action": "publish"})
    assert response.status_code == 400 and names_field(response.text, "new_tags")
    assert "New tags : 20 tags at most per entry" in text_of(response.text)
    assert await JournalEntry.count() == 0 and "nouveau" not in await vocabulary()
