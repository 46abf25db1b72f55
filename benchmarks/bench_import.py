"""CSV import: aggregating 1,000,000 unit rows vs pandas.read_csv reading the same file.

Target (issue 14): the import takes at most 1.5 × the time pandas.read_csv alone
takes to read the same file, both measured here, in the same run. The file is what
a French office exports: semicolon, decimal comma, Windows-1252. Prints both times,
the ratio and the peak memory of the import (it stays flat: the file is read in
chunks and never held whole).

    python benchmarks/bench_import.py [ROWS]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 1.5


def write_file(path: Path, rows: int) -> None:
    rng = random.Random(14)
    arms = ["Rendez-vous préalable au guichet", "visio"]
    with path.open("w", encoding="cp1252", newline="") as f:
        f.write("Bras;Dossier-complet;Durée\r\n")
        for _ in range(rows):
            arm = rng.choice(arms)
            f.write(f"{arm};{rng.choice(('oui', 'non', '1', '0'))};{rng.gauss(35, 8):.1f}".replace(".", ",") + "\r\n")


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import pandas as pd

    from tal.experiments import fileformat
    from tal.imports.aggregate import Aggregator

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    doc = fileformat.read(ROOT / "experiments" / "visio-rendez-vous-urbanisme.toml")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.csv"
        write_file(path, rows)
        size = path.stat().st_size

        def baseline() -> None:
            pd.read_csv(path, sep=";", decimal=",", encoding="cp1252")

        def aggregate():
            with path.open("rb") as f:
                return Aggregator(doc).run(f)

        baseline()  # warm the page cache and pandas
        base = best_of(3, baseline)
        ours = best_of(3, aggregate)
        tracemalloc.start()
        result = aggregate()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    ratio = ours / base
    print(f"{rows:,} lignes, {size / 1e6:.1f} Mo ; pandas.read_csv : {base:.3f} s ; import TAL : {ours:.3f} s")
    print(f"ratio import / pandas.read_csv : {ratio:.2f} (cible ≤ {TARGET})")
    print(f"mémoire de pointe de l'import (tracemalloc) : {peak / 1e6:.1f} Mo pour un fichier de {size / 1e6:.1f} Mo")
    print("n par bras :", {r["arm"]: r["n"] for r in result.results if r["metric"] == "duree"})
    sys.exit(0 if ratio <= TARGET else 1)


if __name__ == "__main__":
    main()
