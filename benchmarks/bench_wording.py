"""Benchmark: the wording review of a 5,000-character journal entry, model loaded.

Run from the repository root:  python benchmarks/bench_wording.py

Prints, measured in the same run on the same texts:
  (i)   ``tal.journal.wording.review`` (patterns, language analysis of the sentences
        that may blame, rewordings), the very function the journal form and
        ``tal wording check`` call;
  (ii)  the baseline: the bare spaCy pipeline (the loaded ``fr_core_news_sm``) run once
        on the whole text, which any analysis of the text has to pay for;
and their ratio, for two texts of 5,000 characters: a realistic entry (the sample
entries' sentences with one blaming sentence in five) and a worst case (every
sentence blames someone). The median of REPEAT runs is shown.
Targets: the realistic entry under 200 ms and (i)/(ii) <= 1 (cheaper than one pass
of the bare pipeline: only the sentences that may blame are analysed); the worst case
(i)/(ii) <= 2. Exit status 1 when one fails. Absolute times depend on the machine
(and on what else runs on it): the ratios do not. The model's load time is printed apart: it is paid once per
process, at the first review, never when the application starts.
"""

from __future__ import annotations

import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LENGTH = 5_000
REPEAT = 7
FIELDS = ("what_happened", "what_we_expected", "contributing_factors", "what_went_well", "what_we_learned",
          "what_we_change")


def corpus(name: str) -> list[str]:
    path = ROOT / "tests" / "data" / "wording" / name
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def sample_sentences() -> list[str]:
    from tal.journal.blame import sentence_spans

    sentences = []
    for path in sorted((ROOT / "experiments").glob("*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8")).get("journal", []):
            for field in FIELDS:
                text = entry.get(field, "")
                sentences += [text[a:b].strip() for a, b in sentence_spans(text) if text[a:b].strip()]
    return sentences


def entry(sentences: list[str]) -> str:
    text, i = "", 0
    while len(text) < LENGTH:
        text += sentences[i % len(sentences)] + " "
        i += 1
    return text[:LENGTH]


def median_ms(run) -> float:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> int:
    from tal.journal import language
    from tal.journal.wording import review

    started = time.perf_counter()
    nlp = language.model()
    load = time.perf_counter() - started
    if nlp is None:
        print("the language model cannot be loaded: nothing to measure")
        return 1
    print(f"model {language.MODEL} loaded in {load:.1f} s (once per process)")
    blaming, plain = corpus("blaming.txt"), sample_sentences()
    mixed = [s for i, p in enumerate(plain) for s in ([p, blaming[i % len(blaming)]] if i % 4 == 3 else [p])]
    ok = True
    cases = (("realistic entry", entry(mixed), 200.0, 1.0), ("every sentence blames", entry(blaming), None, 2.0))
    for label, text, absolute, most in cases:
        review(text)  # warm-up
        flags = len(review(text))
        ours = median_ms(lambda: review(text))
        baseline = median_ms(lambda: nlp(text))
        ratio = ours / baseline
        print(f"{label}: {len(text)} characters, {flags} flags; review {ours:.0f} ms, "
              f"bare pipeline {baseline:.0f} ms, ratio {ratio:.2f}")
        ok &= ratio <= most and (absolute is None or ours < absolute)
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
