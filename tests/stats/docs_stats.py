"""Small hand-built tal-experiment/1 documents for the engine tests."""

from __future__ import annotations

import copy
import datetime as dt


def randomized() -> dict:
    return copy.deepcopy(
        {
            "format": "tal-experiment/1",
            "experiment": {"slug": "rappel-sms-etat-civil", "design": "randomized"},
            "metrics": [
                {"key": "absence", "kind": "binary", "role": "primary", "direction": "decrease",
                 "mde": 0.03, "baseline": 0.17},
                {"key": "attente", "kind": "mean", "role": "secondary", "direction": "decrease",
                 "mde": 2.0, "baseline_sd": 8.0},
                {"key": "plaintes", "kind": "rate", "role": "guardrail", "direction": "decrease", "mde": 0.01},
                {"key": "satisfaction", "kind": "ordinal", "role": "secondary", "direction": "increase",
                 "mde": 0.05, "levels": ["1", "2", "3", "4", "5"]},
            ],
            "arms": [
                {"key": "courrier", "control": True, "share": 0.5},
                {"key": "sms", "share": 0.5},
            ],
            "iterations": [
                {
                    "number": 1,
                    "started_on": dt.date(2026, 3, 2),
                    "results": [
                        {"metric": "absence", "arm": "courrier", "n": 1204, "successes": 211},
                        {"metric": "absence", "arm": "sms", "n": 1190, "successes": 147},
                        {"metric": "attente", "arm": "courrier", "n": 300, "mean": 21.0, "sd": 8.5},
                        {"metric": "attente", "arm": "sms", "n": 310, "mean": 20.4, "sd": 8.1},
                        {"metric": "plaintes", "arm": "courrier", "events": 12, "exposure": 1204.0},
                        {"metric": "plaintes", "arm": "sms", "events": 9, "exposure": 1190.0},
                        {"metric": "satisfaction", "arm": "courrier", "counts": [10, 20, 30, 25, 15]},
                        {"metric": "satisfaction", "arm": "sms", "counts": [5, 15, 30, 30, 20]},
                    ],
                }
            ],
        }
    )


def three_arms() -> dict:
    return copy.deepcopy(
        {
            "experiment": {"slug": "relance-quatre-bras", "design": "randomized"},
            "metrics": [{"key": "retour", "kind": "binary", "role": "primary", "direction": "increase", "mde": 0.02}],
            "arms": [
                {"key": "control", "control": True, "share": 0.25},
                {"key": "B", "share": 0.25},
                {"key": "C", "share": 0.25},
                {"key": "D", "share": 0.25},
            ],
            "iterations": [
                {
                    "number": 1,
                    "results": [
                        {"metric": "retour", "arm": "control", "n": 2000, "successes": 200},
                        {"metric": "retour", "arm": "B", "n": 2000, "successes": 260},
                        {"metric": "retour", "arm": "C", "n": 2000, "successes": 215},
                        {"metric": "retour", "arm": "D", "n": 2000, "successes": 190},
                    ],
                }
            ],
        }
    )


ITS_Y = [203.1, 207.4, 208.2, 203.1, 201.4, 206.3, 211.2, 212.7, 218.1, 217.6, 218.1, 215.2,
         199.3, 206.8, 205.1, 207.3, 201.7, 203.2, 201.4, 202.8, 208.6, 203.5, 205.2, 208.2]


def before_after() -> dict:
    periods = [f"{2025 + (m // 12)}-{m % 12 + 1:02d}" for m in range(24)]
    return {
        "experiment": {"slug": "accueil-telephonique", "design": "before_after"},
        "metrics": [{"key": "appels", "kind": "mean", "role": "primary", "direction": "decrease", "mde": 5.0}],
        "iterations": [
            {"number": 1, "series": [{"metric": "appels", "periods": periods, "values": list(ITS_Y),
                                      "intervention_at": "2026-01", "hac_maxlags": 3}]}
        ],
    }


DID_Y = [
    [46.15, 46.64, 47.7, 48.42, 53.66, 57.66, 54.57, 58.74],
    [55.81, 56.05, 54.92, 56.46, 66.12, 63.17, 64.85, 65.9],
    [58.92, 57.13, 57.19, 59.09, 63.49, 66.39, 65.99, 66.89],
    [51.98, 54.95, 52.21, 53.13, 60.66, 59.48, 61.21, 59.83],
    [53.13, 54.75, 52.03, 54.1, 61.13, 65.58, 62.81, 62.57],
    [57.99, 61.26, 56.27, 61.98, 66.22, 66.64, 73.12, 64.33],
    [56.28, 57.27, 58.86, 55.52, 58.59, 57.34, 60.87, 62.32],
    [53.88, 53.95, 55.52, 56.3, 57.56, 57.6, 54.78, 57.52],
    [46.36, 44.65, 45.67, 48.29, 48.78, 51.46, 51.49, 50.4],
    [49.96, 44.81, 49.74, 51.84, 48.16, 53.09, 55.03, 57.4],
    [53.82, 57.58, 57.67, 52.15, 55.76, 56.7, 58.0, 57.47],
    [50.16, 51.23, 47.49, 53.23, 50.85, 55.05, 54.87, 54.28],
]


def comparison_group() -> dict:
    units, periods, values = [], [], []
    for u, row in enumerate(DID_Y):
        for p, y in enumerate(row):
            units.append(f"Médiathèque {u}")
            periods.append(dt.date(2025, 9 + p, 1) if p < 4 else dt.date(2026, p - 3, 1))
            values.append(y)
    return {
        "experiment": {"slug": "horaires-mediatheques", "design": "comparison_group"},
        "metrics": [{"key": "prets", "kind": "mean", "role": "primary", "direction": "increase", "mde": 2.0}],
        "iterations": [
            {"number": 1, "panel": [{"metric": "prets", "intervention_at": dt.date(2026, 1, 1),
                                     "treated_units": [f"Médiathèque {u}" for u in range(6)],
                                     "units": units, "periods": periods, "values": values}]}
        ],
    }
