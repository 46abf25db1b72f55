"""Looking early: an A/A experiment looked at 10 times must give a false « confirmée »
at most 6 % of the time (STATS.md, Looking early; issue 10, point 7).

Each simulated experiment has two arms with the same true proportion (or mean), a
plan whose minimum useful effect gives a planned size per arm (computed by the
engine), and is evaluated by the full engine (``evaluate_portfolio``) at 10 looks,
at 10 %, 20 %, … 100 % of the planned size: before it the verdict uses the mixture
SPRT, at it the fixed-sample test. A run counts when any look reads ``confirmed``.
For comparison, the same looks read with the fixed-sample test at every look (the
error the correction prevents) are printed without a target.
"""

from __future__ import annotations

import numpy as np

from tal.stats import evaluate_portfolio, sample_size_binary, sample_size_mean

from . import row, slack

LOOKS = 10
TARGET = 0.06


def _doc(kind: str, plan: dict, arms: tuple[dict, dict]) -> dict:
    return {
        "experiment": {"slug": "a-a", "design": "randomized"},
        "metrics": [{"key": "m", "kind": kind, "role": "primary", "direction": "increase", **plan}],
        "arms": [{"key": "a", "control": True}, {"key": "b"}],
        "iterations": [{"number": 1, "results": [{"metric": "m", "arm": "a", **arms[0]},
                                                 {"metric": "m", "arm": "b", **arms[1]}]}],
    }


def _looks(planned: int) -> np.ndarray:
    return np.maximum(2, np.round(np.arange(1, LOOKS + 1) / LOOKS * planned)).astype(int)


def _binary(runs: int, rng: np.random.Generator) -> list[list[dict]]:
    plan = {"mde": 0.05, "baseline": 0.2}
    planned = int(sample_size_binary(0.2, 0.05, 1.0)[0])
    looks = _looks(planned)
    blocks = np.diff(np.r_[0, looks])
    successes = rng.binomial(blocks, 0.2, size=(runs, 2, LOOKS)).cumsum(axis=2)
    return [[_doc("binary", plan, ({"n": int(n), "successes": int(successes[r, 0, k])},
                                   {"n": int(n), "successes": int(successes[r, 1, k])}))
             for k, n in enumerate(looks)] for r in range(runs)]


def _mean(runs: int, rng: np.random.Generator) -> list[list[dict]]:
    plan = {"mde": 0.3, "baseline_sd": 1.0}
    planned = int(sample_size_mean(0.3, 1.0))
    looks = _looks(planned)
    out = []
    for _ in range(runs):
        values = rng.normal(10.0, 1.0, size=(2, planned))
        out.append([_doc("mean", plan, tuple({"n": int(n), "mean": float(v[:n].mean()), "sd": float(v[:n].std(ddof=1))}
                                             for v in values)) for n in looks])
    return out


def _rates(runs_docs: list[list[dict]]) -> tuple[float, float]:
    """(share of runs with any confirmed, same with the fixed-sample test at every look)."""
    flat = [d for run in runs_docs for d in run]
    results = evaluate_portfolio(flat)
    verdicts = np.array([r["iterations"][0]["comparisons"][0]["verdict"] for r in results]).reshape(len(runs_docs), LOOKS)
    naive = np.array([_naive(r["iterations"][0]["comparisons"][0]) for r in results]).reshape(len(runs_docs), LOOKS)
    return float((verdicts == "confirmed").any(axis=1).mean()), float(naive.any(axis=1).mean())


def _naive(c: dict) -> bool:
    """Would the fixed-sample test have said « confirmée » at this look?"""
    return c["p_value"] is not None and c["p_value"] < 0.05 and c["difference"] > 0


def rows(reduced: bool, seed: int) -> list[dict]:
    rng = np.random.default_rng(seed)
    runs = 200 if reduced else 2000
    out = []
    for kind, simulate, setting in (
        ("binary", _binary, "A/A, proportion 20 %, mde 5 points, 10 looks up to the planned size"),
        ("mean", _mean, "A/A, mean, sd 1, mde 0.3, 10 looks up to the planned size"),
    ):
        rate, naive = _rates(simulate(runs, rng))
        out.append(row("randomized (sequential)", f"{setting}, {runs} runs", "P(any false confirmée)", rate,
                       TARGET, True, slack(TARGET, runs, reduced)))
        out.append({"design": "randomized (sequential)", "setting": f"{setting}, {runs} runs",
                    "measure": "same, fixed-sample test at every look (for comparison)", "value": naive,
                    "target": None, "ok": None})
    return out
