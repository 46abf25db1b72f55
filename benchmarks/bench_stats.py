"""Benchmark: 10,000 two-arm binary experiments, one vectorised call vs one call each.

Run from the repository root:  python benchmarks/bench_stats.py

Prints, measured in the same run:
  (i)   tal.stats' vectorised binary kernel, ``compare_binary`` (estimates, Newcombe
        and log-adjusted intervals, pooled z / Fisher), the very function
        ``evaluate_portfolio`` calls with every binary comparison of every document;
  (ii)  a plain numpy/scipy computation of the same pooled z-tests and Newcombe
        (Wilson-based) intervals;
  (iii) statsmodels called once per experiment (``proportions_ztest`` +
        ``confint_proportions_2indep``), timed on a sample and extrapolated;
and, for information, the exact posterior probability (``prob_b_beats_a``) and the
full ``evaluate_portfolio`` on 10,000 minimal documents (which adds the posterior,
verdicts, planning and the per-document Python work of reading and writing dicts).
Targets: (i)/(ii) <= 5 and (iii)/(i) >= 100; exit status 1 when one fails.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

N_EXPERIMENTS = 10_000
LOOP_SAMPLE = 300
SEED = 20260302


def make_counts(rng):
    n_a = rng.integers(200, 5000, N_EXPERIMENTS)
    n_b = (n_a * rng.uniform(0.9, 1.1, N_EXPERIMENTS)).astype(np.int64)
    base = rng.uniform(0.03, 0.35, N_EXPERIMENTS)
    lift = rng.normal(0.0, 0.15, N_EXPERIMENTS)
    x_a = rng.binomial(n_a, base)
    x_b = rng.binomial(n_b, np.clip(base * (1 + lift), 0.001, 0.999))
    return [a.astype(float) for a in (x_a, n_a, x_b, n_b)]


def make_docs(x_a, n_a, x_b, n_b):
    docs = []
    metric = [{"key": "taux", "kind": "binary", "role": "primary", "direction": "increase", "mde": 0.02}]
    arms = [{"key": "temoin", "control": True, "share": 0.5}, {"key": "test", "share": 0.5}]
    for i, (xa, na, xb, nb) in enumerate(zip(x_a.tolist(), n_a.tolist(), x_b.tolist(), n_b.tolist())):
        docs.append({
            "experiment": {"slug": f"exp-{i}", "design": "randomized"},
            "metrics": metric,
            "arms": arms,
            "iterations": [{"number": 1, "results": [
                {"metric": "taux", "arm": "temoin", "n": int(na), "successes": int(xa)},
                {"metric": "taux", "arm": "test", "n": int(nb), "successes": int(xb)},
            ]}],
        })
    return docs


def plain_numpy(x_a, n_a, x_b, n_b, alpha=0.05):
    """Pooled z-tests and Newcombe hybrid (Wilson) intervals, written out."""
    from scipy.special import ndtr, ndtri

    p_a, p_b = x_a / n_a, x_b / n_b
    pooled = (x_a + x_b) / (n_a + n_b)
    z = (p_b - p_a) / np.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    p = 2 * ndtr(-np.abs(z))
    c = ndtri(1 - alpha / 2)

    def wilson(x, n):
        ph = x / n
        den = 1 + c * c / n
        centre = (ph + c * c / (2 * n)) / den
        half = c * np.sqrt(ph * (1 - ph) / n + c * c / (4 * n * n)) / den
        return centre - half, centre + half

    l_a, u_a = wilson(x_a, n_a)
    l_b, u_b = wilson(x_b, n_b)
    d = p_b - p_a
    return z, p, d - np.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2), d + np.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2)


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), result


def main() -> int:
    import tal.stats as ts

    rng = np.random.default_rng(SEED)
    x_a, n_a, x_b, n_b = make_counts(rng)
    docs = make_docs(x_a, n_a, x_b, n_b)

    from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

    ts.compare_binary(x_a[:10], n_a[:10], x_b[:10], n_b[:10])  # warm-up (lazy imports)
    t_kernel, res = best_of(lambda: ts.compare_binary(x_a, n_a, x_b, n_b), 7)
    t_plain, plain = best_of(lambda: plain_numpy(x_a, n_a, x_b, n_b), 7)
    assert np.allclose(res["difference_low"], plain[2], rtol=1e-12, atol=1e-15)
    assert np.allclose(res["difference_high"], plain[3], rtol=1e-12, atol=1e-15)
    ok = ~res["fisher"]
    assert np.allclose(res["p_value"][ok], plain[1][ok], rtol=1e-12, atol=1e-300)

    def loop():
        for i in range(LOOP_SAMPLE):
            proportions_ztest([x_b[i], x_a[i]], [n_b[i], n_a[i]])
            confint_proportions_2indep(x_b[i], n_b[i], x_a[i], n_a[i], method="newcomb", compare="diff")

    t_sample, _ = best_of(loop, 2)
    t_loop = t_sample / LOOP_SAMPLE * N_EXPERIMENTS

    t_post, _ = best_of(lambda: ts.prob_b_beats_a(x_a, n_a, x_b, n_b), 3)
    t_full, out = best_of(lambda: ts.evaluate_portfolio(docs), 3)
    assert len(out) == N_EXPERIMENTS
    assert out[0]["iterations"][0]["comparisons"][0]["difference_ci"][0] == float(res["difference_low"][0])

    ms = 1e3
    print(f"{N_EXPERIMENTS} two-arm binary experiments (seed {SEED}), best of several runs")
    print(f"(i)   tal.stats compare_binary, one vectorised call : {t_kernel * ms:9.2f} ms")
    print(f"(ii)  plain numpy/scipy z-tests + Newcombe          : {t_plain * ms:9.2f} ms")
    print(f"(iii) statsmodels once per experiment              : {t_loop * ms:9.2f} ms "
          f"(timed on {LOOP_SAMPLE} experiments, extrapolated to {N_EXPERIMENTS})")
    print(f"info  exact posterior prob_b_beats_a, vectorised   : {t_post * ms:9.2f} ms")
    print(f"info  full evaluate_portfolio on {N_EXPERIMENTS} documents  : {t_full * ms:9.2f} ms "
          f"({t_full / N_EXPERIMENTS * 1e6:.1f} µs per document; (iii)/full = {t_loop / t_full:.1f}x)")
    r1 = t_kernel / t_plain
    r2 = t_loop / t_kernel
    pass1, pass2 = r1 <= 5, r2 >= 100
    print(f"(i)/(ii)  = {r1:7.2f}  target <= 5    {'PASS' if pass1 else 'FAIL'}")
    print(f"(iii)/(i) = {r2:7.1f}  target >= 100  {'PASS' if pass2 else 'FAIL'}")
    return 0 if pass1 and pass2 else 1


if __name__ == "__main__":
    sys.exit(main())
