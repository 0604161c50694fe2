"""Benchmark Fisher's exact test for r x c tables against R's fisher.test.

Tables: every table of tests/analysis/stats/reference/crosstab/reference.json (31, with R's
p-values), 60 random sparse tables (3-5 x 3-6, n = 15-90, uneven margins), random 4 x 5 tables
with n = 100-140 (the size of an item-by-region table of a wave), and three tables past the
bounds (4 x 6 n = 200, 3 x 8 n = 400, 6 x 8 n = 300). For each table: our time, our p-value and,
when Rscript is on PATH, R's time (`fisher.test(workspace = 2e8)`, timed inside R) and the relative
difference of the p-values. Also the time of the first call (numba's import and compile, or
cache load) and the peak resident memory of the run. Also R's esoph alcgp x tobgp table (cases,
4 x 4, n = 200) and four 50 x 50 tables with n = 40 (reference_large.json).

Run:  .venv/bin/python benchmarks/bench_fisher.py [--no-r] [--random 60]
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
import resource
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.stats.crosstab import fisher_exact_rxc  # noqa: E402

REFERENCE = ROOT / "tests" / "analysis" / "stats" / "reference" / "crosstab" / "reference.json"
REFERENCE_LARGE = REFERENCE.with_name("reference_large.json")  # esoph alcgp x tobgp, 50 x 50 n = 40

R_SCRIPT = r"""
tables <- jsonlite::fromJSON(commandArgs(TRUE)[1], simplifyMatrix = TRUE)
out <- lapply(tables, function(t) {
  t <- as.matrix(t)
  s <- system.time(p <- tryCatch(fisher.test(t, workspace = 2e8)$p.value, error = function(e) NA))[[3]]
  list(p = p, seconds = s)
})
cat(jsonlite::toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"))
"""


def tables(n_random: int) -> dict[str, np.ndarray]:
    out = {name: np.array(ref["table"]) for name, ref in json.loads(REFERENCE.read_text()).items()}
    if REFERENCE_LARGE.exists():
        out.update({name: np.array(ref["table"]) for name, ref in json.loads(REFERENCE_LARGE.read_text()).items()})
    rng = np.random.default_rng(20261123)
    for i in range(n_random):
        shape = (int(rng.integers(3, 6)), int(rng.integers(3, 7)))
        probs = np.outer(rng.random(shape[0]) ** 2, rng.random(shape[1]) ** 2).ravel()
        t = rng.multinomial(int(rng.integers(15, 91)), probs / probs.sum()).reshape(shape)
        t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
        if min(t.shape) >= 2:
            out[f"sparse{i:02d}"] = t
    for i in range(5):
        out[f"wave4x5_{i}"] = rng.multinomial(int(rng.integers(100, 141)), rng.dirichlet(np.ones(20) * 3)).reshape(4, 5)
    out["huge4x6_n200"] = rng.multinomial(200, np.ones(24) / 24).reshape(4, 6)
    out["huge3x8_n400"] = rng.multinomial(400, np.ones(24) / 24).reshape(3, 8)
    out["huge6x8_n300"] = rng.multinomial(300, np.ones(48) / 48).reshape(6, 8)
    return out


def run_r(data: dict[str, np.ndarray]) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tables.json"
        path.write_text(json.dumps({k: v.tolist() for k, v in data.items()}))
        script = Path(tmp) / "fisher.R"
        script.write_text(R_SCRIPT)
        res = subprocess.run(["Rscript", str(script), str(path)], capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-r", action="store_true", help="do not run R")
    parser.add_argument("--random", type=int, default=60, help="number of random sparse tables")
    args = parser.parse_args()
    data = tables(args.random)
    ours: dict[str, tuple[float | None, float]] = {}
    start = time.perf_counter()
    fisher_exact_rxc(np.array([[1, 2, 3], [3, 2, 1]]))  # imports numba, compiles or loads the kernels
    print(f"first call (numba import + JIT compile, or load from numba's cache): {time.perf_counter() - start:.2f} s")
    for name, t in data.items():
        start = time.perf_counter()
        p = fisher_exact_rxc(t)
        ours[name] = (p, time.perf_counter() - start)
    r = None if args.no_r else run_r(data)
    print(f"{'table':<16}{'shape':>8}{'n':>6}{'ours (s)':>10}{'R (s)':>10}  {'p (ours)':<22}{'rel. diff':>10}")
    total_ours = total_r = 0.0
    worst = 0.0
    for name, t in data.items():
        p, sec = ours[name]
        r_p = r_sec = None
        if r is not None:
            r_p, r_sec = r[name]["p"], r[name]["seconds"]
        diff = abs(p / r_p - 1) if p is not None and r_p else None
        if diff is not None:
            worst = max(worst, diff)
        if not name.startswith("sparse") and not name.startswith("random"):
            shape = f"{t.shape[0]}x{t.shape[1]}"
            print(f"{name:<16}{shape:>8}{int(t.sum()):>6}{sec:>10.3f}"
                  f"{(f'{r_sec:.3f}' if r_sec is not None else '-'):>10}  {('gave up' if p is None else f'{p:.12g}'):<22}"
                  f"{(f'{diff:.1e}' if diff is not None else '-'):>10}")
        if name.startswith(("sparse", "random")):
            total_ours += sec
            total_r += r_sec or 0.0
    print(f"random and sparse tables together: ours {total_ours:.2f} s" + (f", R {total_r:.2f} s" if r else ""))
    if r is not None:
        print(f"largest relative difference from R where both computed: {worst:.2e}")
    # numba's arrays are not seen by tracemalloc: the peak resident size of this process instead
    print(f"peak resident memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB")


if __name__ == "__main__":
    main()
