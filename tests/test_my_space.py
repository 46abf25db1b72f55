"""« Mon espace »: a home page per role; the public home page stays as it is."""

from __future__ import annotations

import datetime as dt

from conftest import text_of
from tal import db


async def test_each_role_sees_its_own_space(client, other_client, samples, accounts):
    from tal.accounts.tables import Service
    from tal.journal.tables import JournalAction, JournalEntry

    async with db.transaction():
        team = (await Service.select(Service.id).where(Service.name == "Population et citoyenneté").first())["id"]
        other = (await Service.select(Service.id).where(Service.name == "Numérique").first())["id"]
        entry = JournalEntry(team=team, title="Relance oubliée", happened_on=dt.date(2026, 9, 1), what_happened="x",
                             state="published", published_at=dt.datetime(2026, 9, 2, tzinfo=dt.timezone.utc))
        await entry.save()
        draft = JournalEntry(team=other, title="Brouillon à relire", happened_on=dt.date(2026, 9, 1),
                             what_happened="x", reviewer=accounts["agent"].id)
        await draft.save()
        await JournalAction.insert(
            JournalAction(entry=entry.id, description="Vérifier les envois", owner_role="Chef de service",
                          due_on=dt.date(2026, 1, 5)),
            JournalAction(entry=entry.id, description="Plus tard", owner_role="x", due_on=dt.date(2099, 1, 5)))

    assert (await client.get("/mon-espace")).status_code == 403
    home = text_of((await client.get("/")).text)  # the public home page is unchanged
    assert "Mon espace" not in home

    await client.login("agent")
    page = text_of((await client.get("/mon-espace")).text)
    # Population et citoyenneté: owner of the civil status SMS reminder (decided), partner of the single number (draft).
    assert "Expérimentations de Population et citoyenneté (porteur ou partenaire), par statut" in page
    assert "Brouillon 1" in page and "Décidée 1" in page and "En cours 0" in page
    assert "Vérifier les envois" in page and "Plus tard" not in page
    assert "numéro unique pour joindre" in page and "plan à pré-enregistrer" in page
    assert "Brouillon à relire" in page
    assert "La revue de mes services" not in page and "file des décisions" not in page

    await other_client.login("manager")
    page = text_of((await other_client.get("/mon-espace")).text)
    assert "La revue de mes services (12 derniers mois)" in page and "2 actions ouvertes, dont 1 en retard" in page

    await client.login("comite")
    page = text_of((await client.get("/mon-espace")).text)
    assert "Comité : file des décisions" in page and "Aucune séance n'est prévue." in page
