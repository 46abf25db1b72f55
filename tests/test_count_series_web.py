"""A before/after on counts through the pages: the series carries its exposure, the
evaluation reads the rate ratio, and the form shows the exposure back."""

from __future__ import annotations

from conftest import text_of
from test_register_web import HEADER, PLAN

SLUG = "appels-samedi"
HEAD = {**HEADER, "slug": SLUG, "design": "before_after"}
METRIC = {k: v for k, v in PLAN.items() if not k.startswith("arms") and k != "metrics[1].baseline"}
METRIC.update({"metrics[1].key": "appels", "metrics[1].label": "Appels au standard par habitant",
               "metrics[1].kind": "rate", "metrics[1].direction": "decrease", "metrics[1].mde": "0,001"})
MONTHS = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(24)]
COUNTS = [520 + (m % 12) * 3 - (60 if m >= 12 else 0) for m in range(24)]
ROWS = "\n".join(f"{p} ; {c} ; 36427" for p, c in zip(MONTHS, COUNTS))


async def test_a_count_series_keeps_its_exposure_and_reads_a_rate_ratio(client, accounts):
    await client.login("agent")
    assert (await client.post("/experimentations/nouvelle", HEAD)).status_code == 303
    response = await client.post(f"/experimentations/{SLUG}/plan", METRIC)
    assert response.status_code == 303, text_of(response.text)
    for step in ("registered", "running"):
        await client.post(f"/experimentations/{SLUG}/statut", {"to": step})
    await client.post(f"/experimentations/{SLUG}/iterations/nouvelle", {"started_on": "2026-03-02"})
    url = f"/experimentations/{SLUG}/iterations/1/donnees"

    response = await client.post(url, {"s.appels.data": ROWS.replace(" ; 36427", ""), "s.appels.intervention_at": "2025-01",
                                       "s.appels.hac_maxlags": ""})
    assert response.status_code == 400 and "3 colonnes attendues" in text_of(response.text)

    response = await client.post(url, {"s.appels.data": ROWS, "s.appels.intervention_at": "2025-01",
                                       "s.appels.hac_maxlags": ""})
    assert response.status_code == 303, text_of(response.text)
    data = (await client.get(f"/api/v1/experiments/{SLUG}")).json()
    (c,) = data["evaluation"]["result"]["iterations"][0]["comparisons"]
    assert c["kind"] == "rate" and c["seasonal"] is True
    assert 0.8 < c["ratio"] < 0.92 and c["ratio_ci"][0] < c["ratio"] < c["ratio_ci"][1] < 1
    form = text_of((await client.get(url)).text)
    assert "2024-01 ; 520,0 ; 36427,0" in form  # the exposure is shown back: saving again keeps it
