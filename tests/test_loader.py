"""The loader above the register and the journal: a file's journal entries are
matched with the stored ones by title and date (not by rank), the text of a published
entry does not change through a file, and a refused file writes nothing."""

from __future__ import annotations

import pytest

from conftest import ROOT
from tal import db, loader
from tal.core.errors import DomainError
from tal.experiments import fileformat, services
from tal.journal import services as journal
from tal.journal.tables import JournalComment, JournalEntry

MINIMAL = (ROOT / "tests" / "data" / "minimal.toml").read_text(encoding="utf-8")


def entry(title: str, happened: str = "2026-03-20", what: str = "Ce qui s'est passé.", published: bool = True) -> str:
    return (f'\n[[journal]]\ntitle = "{title}"\nhappened_on = {happened}\nwhat_happened = "{what}"\n'
            f'published = {"true" if published else "false"}\ntags = ["outil"]\n')


def with_journal(*entries: str) -> str:
    return MINIMAL + "".join(entries)


async def load(text: str, source: str = "essai.toml"):
    async with db.transaction():
        return await loader.load_documents([fileformat.parse(text, source)], [source])


async def stored() -> dict[str, dict]:
    rows = await JournalEntry.select(JournalEntry.id, JournalEntry.title, JournalEntry.what_happened,
                                     JournalEntry.state, JournalEntry.position)
    return {r["title"]: r for r in rows}


async def test_reordering_a_files_entries_keeps_each_entrys_comments(database, accounts):
    await load(with_journal(entry("Premier"), entry("Second", "2026-03-21")))
    before = await stored()
    agent = accounts["numerique"]
    async with db.transaction():
        await journal.comment(agent, before["Second"]["id"], "Merci pour le second")
    [result] = await load(with_journal(entry("Second", "2026-03-21"), entry("Premier")))
    assert result.changed and not result.created
    after = await stored()
    assert {t: r["id"] for t, r in after.items()} == {t: r["id"] for t, r in before.items()}
    assert (after["Second"]["position"], after["Premier"]["position"]) == (0, 1)
    [comment] = await JournalComment.select(JournalComment.entry, JournalComment.body)
    assert comment == {"entry": before["Second"]["id"], "body": "Merci pour le second"}
    async with db.transaction(write=False):
        exported = await services.export("essai-minimal")
    assert [e.title for e in exported.journal] == ["Second", "Premier"]


async def test_a_file_may_not_change_the_text_of_a_published_entry(database):
    await load(with_journal(entry("Premier"), entry("Brouillon", published=False)))
    before = await stored()
    with pytest.raises(DomainError) as refused:
        await load(with_journal(entry("Premier", what="Autre récit."), entry("Brouillon")))
    assert refused.value.field == "essai.toml : journal[1].what_happened"
    assert "déjà publiée" in refused.value.message
    assert await stored() == before  # nothing written
    # A draft may change, and be published by the file.
    await load(with_journal(entry("Premier"), entry("Brouillon", what="Récit complété.")))
    after = await stored()
    assert after["Brouillon"]["what_happened"] == "Récit complété." and after["Brouillon"]["state"] == "published"


async def test_a_draft_left_out_is_withdrawn_and_a_new_one_added(database):
    await load(with_journal(entry("Premier", published=False), entry("Second", "2026-03-21")))
    await load(with_journal(entry("Troisième", "2026-03-22"), entry("Second", "2026-03-21")))
    states = {t: r["state"] for t, r in (await stored()).items()}
    assert states == {"Premier": "withdrawn", "Second": "published", "Troisième": "published"}
    async with db.transaction(write=False):
        found = await journal.search(journal.JournalFilters(tag="outil"), None)
    assert found.total == 0  # entries of an internal experiment are not public
    # Loading the same file again changes nothing (the withdrawal is not a difference).
    [again] = await load(with_journal(entry("Troisième", "2026-03-22"), entry("Second", "2026-03-21")))
    assert not again.changed


async def test_a_published_entry_left_out_or_renamed_by_a_file_is_refused(database):
    await load(with_journal(entry("Premier"), entry("Second", "2026-03-21")))
    before = await stored()
    version = (await services.Experiment.select(services.Experiment.version).first())["version"]
    for text in (with_journal(entry("Second", "2026-03-21")),  # left out
                 with_journal(entry("Premier bis"), entry("Second", "2026-03-21")),  # title changed
                 with_journal(entry("Premier", "2026-03-19"), entry("Second", "2026-03-21"))):  # date changed
        with pytest.raises(DomainError) as refused:
            await load(text)
        assert refused.value.field == "essai.toml : journal"
        assert "«\u202fPremier\u202f» du 2026-03-20 manque au fichier" in refused.value.message
        assert await stored() == before  # nothing written
    assert (await services.Experiment.select(services.Experiment.version).first())["version"] == version
    from tal.i18n import translations

    assert refused.value.translated(translations("en").gettext).startswith(
        "the published journal entry “Premier” of 2026-03-20 is missing from the file")


async def test_reloading_a_file_that_still_carries_an_entry_withdrawn_in_tal_changes_nothing(database, accounts):
    text = with_journal(entry("Premier"), entry("Second", "2026-03-21"))
    await load(text)
    first = (await stored())["Premier"]["id"]
    async with db.transaction():
        await JournalEntry.update({JournalEntry.state: "withdrawn", JournalEntry.withdrawn_reason: "Doublon"}).where(
            JournalEntry.id == first)
    version = (await services.Experiment.select(services.Experiment.version).first())["version"]
    for _ in range(2):
        [result] = await load(text)
        assert not result.changed
    assert (await services.Experiment.select(services.Experiment.version).first())["version"] == version
    assert (await stored())["Premier"]["state"] == "withdrawn"  # the withdrawal stands


async def test_two_entries_with_the_same_title_and_date_are_refused(database):
    with pytest.raises(DomainError) as refused:
        await load(with_journal(entry("Premier"), entry("Premier")))
    assert refused.value.field == "essai.toml : journal[2].title"
    assert await JournalEntry.count() == 0


@pytest.mark.parametrize("tag", ["<script>alert(1)</script>", 'a"b', "x" * 41])
async def test_a_files_journal_tags_follow_the_forms_rules(database, tag):
    from tal.journal.tables import Tag

    before = await Tag.count()
    with pytest.raises(DomainError) as refused:
        await load(with_journal(entry("Premier").replace('tags = ["outil"]', f'tags = ["outil", {tag!r}]'.replace(
            "'", '"') if '"' not in tag else 'tags = ["outil", "a\\"b"]')))
    assert refused.value.field == "essai.toml : journal[1].tags[2]"
    assert await JournalEntry.count() == 0 and await Tag.count() == before
