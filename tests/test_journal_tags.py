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


# ---------------------------------------------------------------- one tag whatever the case, even at once


async def test_two_authors_creating_the_same_tag_at_once_get_one_tag(client, accounts, tags, database, monkeypatch):
    """On PostgreSQL both requests read the vocabulary before either inserts (they wait for
    each other): the second insert meets the unique index on lower(name), is rolled back to
    its savepoint and reads the first one's tag. SQLite's writers take turns."""
    import asyncio

    from tal.journal import tags as tag_module

    find, waiting = tag_module.find, asyncio.Barrier(2)
    calls = []

    async def both_read_first(names):
        calls.append(names)
        found = await find(names)
        if database == "postgresql" and len(calls) <= 2:
            await asyncio.wait_for(waiting.wait(), 10)
        return found

    monkeypatch.setattr(tag_module, "find", both_read_first)
    await client.login("agent")
    first, second = await asyncio.gather(write(client, new_tags="Sous-traitant"), write(client, new_tags="sous-traitant"))
    assert [name.casefold() for name in await vocabulary()].count("sous-traitant") == 1
    spelling = next(name for name in await vocabulary() if name.casefold() == "sous-traitant")
    assert await tags_of(first) == await tags_of(second) == sorted([spelling, "outil"])
    if database == "postgresql":
        # Both read, both inserted; the one that succeeded read its tag, the other read it again after its failure.
        assert sum(1 for names in calls if len(names) == 1) == 4


async def test_a_tag_created_meanwhile_is_read_again_and_the_transaction_goes_on(database, monkeypatch):
    """The insert fails on the unique index (a stale read, as after a concurrent creation):
    rolled back to its savepoint, the same transaction reads the tag and goes on writing."""
    from tal import db
    from tal.journal import tags as tag_module

    async with db.transaction():
        await Tag.insert(Tag(name="Prestataire"))
    find, stale = tag_module.find, [True]

    async def first_read_stale(names):
        if stale.pop() if stale else False:
            return {}
        return await find(names)

    monkeypatch.setattr(tag_module, "find", first_read_stale)
    async with db.transaction():
        assert await tag_module.add(["PRESTATAIRE", "Nouveau"]) == ["Prestataire", "Nouveau"]
        await Tag.insert(Tag(name="après"))
    assert await vocabulary() == ["Nouveau", "Prestataire", "après"]


async def test_the_migration_merges_tags_written_in_two_cases_then_refuses_them(database):
    import datetime as dt
    import importlib

    from tal import db

    migration = importlib.import_module(
        "tal.journal.piccolo_migrations.journal_2026_11_29t20_00_00_000000_imports_tag_ci")
    async with db.transaction():
        await Tag._meta.db.run_ddl("DROP INDEX IF EXISTS tag_name_lower")
        await Tag.insert(*(Tag(name=n) for n in ("Prestataire", "outil", "prestataire", "PRESTATAIRE")))
        ids = {r["name"]: r["id"] for r in await Tag.select(Tag.id, Tag.name)}
        rows = await JournalEntry.insert(
            JournalEntry(title="Un", happened_on=dt.date(2026, 3, 2), what_happened="x", tags=["Prestataire", "prestataire"]),
            JournalEntry(title="Deux", happened_on=dt.date(2026, 3, 3), what_happened="y", tags=["PRESTATAIRE", "outil"]),
        ).returning(JournalEntry.id)
        one, two = (r["id"] for r in rows)
        await JournalEntryTag.insert(JournalEntryTag(entry=one, tag=ids["Prestataire"]),
                                     JournalEntryTag(entry=one, tag=ids["prestataire"]),
                                     JournalEntryTag(entry=two, tag=ids["PRESTATAIRE"]),
                                     JournalEntryTag(entry=two, tag=ids["outil"]))
    await (await migration.forwards()).run()
    assert await vocabulary() == ["Prestataire", "outil"]
    assert (await Tag.select(Tag.id).where(Tag.name == "Prestataire").first())["id"] == ids["Prestataire"]  # the oldest
    assert await tags_of(one) == ["Prestataire"] and await tags_of(two) == ["Prestataire", "outil"]
    assert await JournalEntryTag.count() == 3
    stored = {r["id"]: db.json_value(r["tags"]) for r in await JournalEntry.select(JournalEntry.id, JournalEntry.tags)}
    assert stored == {one: ["Prestataire"], two: ["Prestataire", "outil"]}
    with pytest.raises(db.UNIQUE_VIOLATIONS):
        async with db.transaction():
            await Tag.insert(Tag(name="OUTIL"))
    await (await migration.forwards()).run()  # again: nothing to merge, the index is there
    assert await vocabulary() == ["Prestataire", "outil"]
