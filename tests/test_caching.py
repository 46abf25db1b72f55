"""Static files under fingerprinted addresses, cached for a year by browsers."""

from __future__ import annotations

import hashlib
import re

from conftest import ROOT


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
