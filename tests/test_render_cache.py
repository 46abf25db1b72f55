"""Rendered pages kept in memory: fresh after any write (in any process), never served
to another reader, bounded; Last-Modified and If-Modified-Since."""

from __future__ import annotations

import email.utils

import httpx
import pytest

from conftest import Client, text_of

INTERNAL = "Une carte de médiathèque dans le kit d'accueil des nouveaux habitants"


def _browser(app, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)), base_url="http://testserver")


@pytest.fixture
async def app(database):
    from tal.app import create_app

    return create_app(migrate=False)


def _cache(app):
    from tal.core.rendercache import CachedPages

    [middleware] = [m for m in app.middleware if isinstance(m, CachedPages)]
    return middleware.cache


async def _published_entry() -> int:
    from tal.journal.tables import JournalEntry

    row = await JournalEntry.select(JournalEntry.id).where(JournalEntry.state == "published").first()
    return row["id"]


async def test_a_page_read_twice_is_served_from_the_cache_and_a_write_elsewhere_makes_it_fresh(
        app, samples, accounts):
    from tal import db, loader
    from tal.experiments import fileformat

    async with _browser(app) as http:
        reader = Client(http)
        await reader.login("agent")
        first = await reader.get("/experimentations")
        assert first.status_code == 200 and len(_cache(app)) >= 1
        kept = len(_cache(app))
        assert (await reader.get("/experimentations")).text == first.text
        assert len(_cache(app)) == kept  # the second read came from the cache
        # A write by another connection (as another process would do it): the next read is fresh.
        slug = "rappel-sms-etat-civil"
        changed = samples[slug].experiment.title + " (v2)"
        doc = fileformat.parse(fileformat.dumps(samples[slug]).replace(samples[slug].experiment.title, changed, 1))
        async with db.transaction():
            await loader.load_documents([doc])
        assert changed in text_of((await reader.get("/experimentations")).text)


async def test_a_write_through_one_app_instance_refreshes_the_other_instances_pages(app, samples, accounts):
    from tal.app import create_app

    entry = await _published_entry()
    other_app = create_app(migrate=False)
    async with _browser(app) as first, _browser(other_app, "127.0.0.2") as second:
        reader, writer = Client(first), Client(second)
        await reader.login("agent")
        await writer.login("numerique")
        before = (await reader.get(f"/journal/{entry}")).text
        assert "Une remarque écrite dans l'autre instance" not in before
        assert (await reader.get(f"/journal/{entry}")).text == before
        response = await writer.post(f"/journal/{entry}/commenter", {"body": "Une remarque écrite dans l'autre instance"})
        assert response.status_code == 303
        assert "Une remarque écrite dans l'autre instance" in (await reader.get(f"/journal/{entry}")).text


async def test_readers_with_different_rights_never_see_each_others_page(app, samples, accounts):
    async with _browser(app) as a, _browser(app, "127.0.0.2") as b, _browser(app, "127.0.0.3") as c:
        agent, admin, visitor = Client(a), Client(b), Client(c)
        await agent.login("agent")
        await admin.login("admin")
        for _ in range(2):
            seen_by_agent = (await agent.get("/experimentations")).text
            seen_by_visitor = (await visitor.get("/experimentations")).text
            seen_by_admin = (await admin.get("/")).text
            seen_by_agent_home = (await agent.get("/")).text
            assert INTERNAL in text_of(seen_by_agent)
            assert INTERNAL not in text_of(seen_by_visitor)
            assert "Se déconnecter" not in seen_by_visitor
            assert "Administration" in text_of(seen_by_admin) or "admin" in seen_by_admin
            assert seen_by_admin != seen_by_agent_home
        # Each browser's forms carry its own CSRF token, even from the cache.
        token_a, token_b = a.cookies["tal_csrf"], b.cookies["tal_csrf"]
        assert token_a in (await agent.get("/experimentations")).text
        assert token_b not in (await agent.get("/experimentations")).text


async def test_the_same_account_in_two_browsers_gets_each_its_own_csrf_token(app, samples, accounts):
    async with _browser(app) as a, _browser(app, "127.0.0.2") as b:
        one, two = Client(a), Client(b)
        await one.login("agent")
        await two.login("agent")
        page_one = (await one.get("/experimentations")).text
        page_two = (await two.get("/experimentations")).text
        assert a.cookies["tal_csrf"] in page_one and b.cookies["tal_csrf"] in page_two
        assert a.cookies["tal_csrf"] not in page_two


async def test_a_flash_message_is_shown_once_and_never_from_the_cache(app, samples, accounts):
    entry = await _published_entry()
    async with _browser(app) as http:
        reader = Client(http)
        await reader.login("agent")
        await reader.get(f"/journal/{entry}")
        await reader.get(f"/journal/{entry}")
        assert (await reader.post(f"/journal/{entry}/commenter", {"body": "Vu."})).status_code == 303
        assert "C'est fait." in text_of((await reader.get(f"/journal/{entry}")).text)
        assert "C'est fait." not in text_of((await reader.get(f"/journal/{entry}")).text)


async def test_the_language_is_part_of_the_key(app, samples, accounts):
    async with _browser(app) as http:
        french = (await http.get("/experimentations")).text
        english = (await http.get("/experimentations", headers={"Accept-Language": "en"})).text
        assert french != english
        assert (await http.get("/experimentations")).text == french


def test_the_cache_is_bounded_in_entries_and_in_bytes_least_recently_used_out_first():
    from tal.core.rendercache import RenderCache, _Entry

    cache = RenderCache(max_entries=3, max_bytes=10_000)
    assert cache.get("g", ("page", 0)) is None  # the generation is read first, as the middleware does
    for i in range(10):
        cache.put("g", ("page", i), _Entry(200, [(b"content-type", b"text/html")], b"x" * 1000))
        cache.get("g", ("page", 0))  # page 0 is read after each addition: it stays
    assert len(cache) == 3 and cache.get("g", ("page", 0)) is not None
    assert cache.get("g", ("page", 1)) is None and cache.get("g", ("page", 9)) is not None
    cache = RenderCache(max_entries=100, max_bytes=5_000)
    cache.get("g", ("page", 0))
    for i in range(10):
        cache.put("g", ("page", i), _Entry(200, [], b"x" * 1000))
    assert cache.size <= 5_000 and len(cache) == 4
    cache.put("g", ("big",), _Entry(200, [], b"x" * 6_000))  # larger than the whole cache: not kept
    assert cache.get("g", ("big",)) is None and cache.size <= 5_000
    # Another generation empties it.
    assert cache.get("h", ("page", 9)) is None and len(cache) == 0 and cache.size == 0
    cache.put("g", ("page", 1), _Entry(200, [], b"x"))  # a page of an older generation is not kept
    assert len(cache) == 0


async def test_pages_send_last_modified_and_answer_304_to_if_modified_since(app, samples, accounts, monkeypatch):
    from tal import db, loader
    from tal.core import rendercache
    from tal.experiments import fileformat

    now = [1_800_000_000.0]
    monkeypatch.setattr(rendercache, "clock", lambda: now[0])
    slug = "rappel-sms-etat-civil"
    async with _browser(app) as http:
        reader = Client(http)
        await reader.login("agent")
        for url in (f"/experimentations/{slug}", "/experimentations", "/journal", "/api/v1/journal", "/"):
            first = await reader.get(url)
            # Within the second the data were first seen, no date is given (HTTP dates are in seconds).
            assert first.status_code == 200 and "last-modified" not in first.headers, url
        now[0] += 5
        for url in (f"/experimentations/{slug}", "/experimentations", "/journal", "/api/v1/journal", "/"):
            dated = await reader.get(url)
            stamp = dated.headers["last-modified"]
            assert email.utils.parsedate_to_datetime(stamp).timestamp() == 1_800_000_000, url
            again = await reader.get(url, headers={"If-Modified-Since": stamp})
            assert again.status_code == 304 and again.content == b"", url
            earlier = email.utils.formatdate(1_800_000_000 - 1, usegmt=True)
            assert (await reader.get(url, headers={"If-Modified-Since": earlier})).status_code == 200, url
            assert (await reader.get(url, headers={"If-Modified-Since": "pas une date"})).status_code == 200, url
        stamp = (await reader.get(f"/experimentations/{slug}")).headers["last-modified"]
        changed = samples[slug].experiment.title + " (v2)"
        doc = fileformat.parse(fileformat.dumps(samples[slug]).replace(samples[slug].experiment.title, changed, 1))
        async with db.transaction():
            await loader.load_documents([doc])
        now[0] += 5
        response = await reader.get(f"/experimentations/{slug}", headers={"If-Modified-Since": stamp})
        assert response.status_code == 200 and changed in text_of(response.text)
        now[0] += 5
        newer = (await reader.get(f"/experimentations/{slug}")).headers["last-modified"]
        assert email.utils.parsedate_to_datetime(newer) > email.utils.parsedate_to_datetime(stamp)


async def test_the_data_generation_moves_with_every_committed_write_and_only_then(database, accounts):
    from tal import db
    from tal.accounts.tables import Account
    from tal.core.rendercache import generation

    first = await generation()
    assert first is not None
    await Account.select(Account.username)
    assert await generation() == first  # a read changes nothing
    await Account.update({Account.display_name: "Agent renommé"}).where(Account.username == "agent")
    second = await generation()
    assert second != first  # a write outside any explicit transaction
    async with db.transaction():
        await Account.update({Account.display_name: "Agent"}).where(Account.username == "agent")
        await Account.update({Account.display_name: "Admin"}).where(Account.username == "admin")
    assert await generation() not in (first, second)


async def test_readers_arriving_together_share_one_computation(app, samples, accounts, monkeypatch):
    import asyncio

    from tal.experiments import services

    calls = []
    search = services.search

    async def counted(*args, **kwargs):
        calls.append(1)
        await asyncio.sleep(0.05)
        return await search(*args, **kwargs)

    monkeypatch.setattr(services, "search", counted)
    async with _browser(app) as http:
        reader = Client(http)
        await reader.login("agent")
        pages = await asyncio.gather(*(reader.get("/experimentations") for _ in range(8)))
    assert all(p.status_code == 200 for p in pages) and len({p.text for p in pages}) == 1
    assert len(calls) == 1


def test_a_stored_evaluation_is_presented_once_per_language_and_file():
    import msgspec

    from conftest import SAMPLES
    from tal.evaluation.present import present_stored
    from tal.experiments import fileformat
    from tal.i18n import translations
    from tal.evaluation.services import evaluate_many

    doc = fileformat.read(SAMPLES / "rappel-sms-etat-civil.toml")
    [(result, error)] = evaluate_many([doc])
    assert error is None
    french = present_stored(result, "2026-11-29", doc, translations("fr").gettext, "fr")
    assert present_stored(result, "2026-11-29", doc, translations("fr").gettext, "fr") is french
    english = present_stored(result, "2026-11-29", doc, translations("en").gettext, "en")
    assert english is not french and english[0].comparisons[0].sentence != french[0].comparisons[0].sentence
    renamed = msgspec.structs.replace(doc, metrics=[msgspec.structs.replace(doc.metrics[0], label="Autre libellé"),
                                                    *doc.metrics[1:]])
    assert present_stored(result, "2026-11-29", renamed, translations("fr").gettext, "fr") is not french
    assert present_stored(result, "2026-11-30", doc, translations("fr").gettext, "fr") is not french


async def test_the_host_is_part_of_the_key_so_a_forged_host_cannot_poison_a_feed(app, samples, accounts):
    entry = await _published_entry()
    from tal.journal.tables import JournalEntry

    await JournalEntry.update({JournalEntry.public: True}).where(JournalEntry.id == entry)
    async with _browser(app) as http:
        forged = await http.get("/journal/public.atom", headers={"Host": "evil.example"})
        assert forged.status_code == 200 and "evil.example" in forged.text
        honest = await http.get("/journal/public.atom")
        assert honest.status_code == 200
        assert "evil.example" not in honest.text and "testserver" in honest.text


async def test_a_quoted_language_cookie_keys_the_page_in_the_language_it_was_written_in(app, samples, accounts):
    async with _browser(app) as http:
        english = await http.get("/journal?x=2", headers={"Cookie": 'lang="en"; tal_csrf=abc',
                                                           "Accept-Language": "fr"})
        assert english.status_code == 200 and 'lang="en"' in english.text
        french = await http.get("/journal?x=2", headers={"Cookie": "tal_csrf=abc", "Accept-Language": "fr"})
        assert french.status_code == 200 and 'lang="fr"' in french.text.split(">", 2)[1]


async def test_requests_with_a_crafted_long_key_are_served_but_not_kept(app, samples, accounts):
    async with _browser(app) as http:
        kept_before = len(_cache(app))
        for i in range(5):
            response = await http.get(f"/journal/public.atom?x={i}{'a' * 3000}",
                                      headers={"Cookie": "tal_csrf=" + "b" * 100})
            assert response.status_code == 200
        assert len(_cache(app)) == kept_before
        size = _cache(app).size
        assert (await http.get("/journal/public.atom?x=short", headers={"Cookie": "tal_csrf=b"})).status_code == 200
        assert len(_cache(app)) == kept_before + 1
        # The key's bytes count against the bound, not only the page's.
        assert _cache(app).size - size > len("/journal/public.atom") + len("x=short")


async def test_the_review_and_its_json_twin_are_kept_until_a_write(app, samples, accounts):
    from tal import db, loader
    from tal.experiments import fileformat

    async with _browser(app) as http:
        reader = Client(http)
        await reader.login("agent")
        for path in ("/revue", "/api/v1/review"):
            first = await reader.get(path)
            assert first.status_code == 200
            kept = len(_cache(app))
            assert (await reader.get(path)).content == first.content
            assert len(_cache(app)) == kept  # the second read came from the cache
        assert {key[-2] for key in _cache(app)._entries} >= {"/revue", "/api/v1/review"}
        slug = "rappel-sms-etat-civil"
        doc = fileformat.parse(fileformat.dumps(samples[slug]).replace(samples[slug].experiment.slug, "autre-rappel"))
        async with db.transaction():
            await loader.load_documents([doc])
        assert (await reader.get("/api/v1/review")).status_code == 200
        assert [key[-2] for key in _cache(app)._entries] == ["/api/v1/review"]  # the write emptied the cache
