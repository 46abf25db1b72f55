"""Static files under fingerprinted addresses, cached for a year by browsers."""

from __future__ import annotations

import hashlib
import re

from conftest import ROOT, text_of


async def test_the_stylesheet_has_a_fingerprinted_address_cached_for_a_year(client):
    page = (await client.get("/connexion")).text
    [address] = re.findall(r'href="(/static/tal\.css\?v=[0-9a-f]{12})"', page)
    digest = hashlib.sha256((ROOT / "tal" / "static" / "tal.css").read_bytes()).hexdigest()[:12]
    assert address.endswith(digest)
    response = await client.get(address)
    assert response.status_code == 200 and "max-age=31536000" in response.headers["cache-control"]
    assert "public" in response.headers["cache-control"]
    # Pages stay private and revalidated.
    assert (await client.get("/connexion")).headers["cache-control"] == "private, no-cache"


def test_every_static_file_a_template_names_has_a_fingerprinted_address():
    """Static files are cached for a year: one named without its fingerprint would stay
    in browsers, old, after an update."""
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r'(?:src|href)="/static/', text), template
        for name in re.findall(r"static_url\('([^']+)'\)", text):
            assert (ROOT / "tal" / "static" / name).is_file(), (template, name)


async def test_a_session_ended_by_another_process_ends_here_within_the_actor_cache_time(client, accounts, monkeypatch):
    import time

    from tal.accounts import actorcache
    from tal.accounts.tables import Account

    await client.login("agent")
    assert "Se déconnecter" in (await client.get("/")).text
    # Another process signs the account out: only the database changes, not this process's cache.
    await Account.update({Account.session_generation: Account.session_generation + 1}).where(
        Account.username == "agent")
    later = time.monotonic() + actorcache.TTL_S + 0.1
    monkeypatch.setattr(actorcache.time, "monotonic", lambda: later)
    assert "Se déconnecter" not in (await client.get("/")).text


async def test_experiment_pages_and_lists_answer_304_when_nothing_changed(client, samples, accounts):
    from tal import db, loader
    from tal.experiments import fileformat

    await client.login("agent")
    slug = "rappel-sms-etat-civil"
    for url in (f"/experimentations/{slug}", "/experimentations", "/api/v1/experiments", "/journal"):
        first = await client.get(url)
        assert first.status_code == 200 and first.headers["etag"].startswith('W/"'), url
        again = await client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", url
        assert again.headers["etag"] == first.headers["etag"]
    before = (await client.get(f"/experimentations/{slug}")).headers["etag"]
    changed = samples[slug].experiment.title + " (v2)"
    doc = fileformat.parse(fileformat.dumps(samples[slug]).replace(samples[slug].experiment.title, changed, 1))
    async with db.transaction():
        await loader.load_documents([doc])
    response = await client.get(f"/experimentations/{slug}", headers={"If-None-Match": before})
    assert response.status_code == 200 and changed in text_of(response.text) and response.headers["etag"] != before
