"""Benchmark Fisher's exact test for r x c tables against R's fisher.test, in the same run.

Tables: R's esoph alcgp x tobgp (cases, 4 x 4, n = 200), two 4 x 6 tables with n = 200 and even margins
(the one of test_crosstab.py, and the one of the earlier runs of this benchmark), random 4 x 5 tables with n = 100-140 (an item by region of a wave),
every table of tests/analysis/stats/reference/crosstab/reference.json (31, with R's p-values), 60
random sparse tables (3-5 x 3-6, n = 15-90), the four 50 x 50 tables with n = 40; with --huge also
3 x 8 n = 400 and 6 x 8 n = 300 (both sides may run for many minutes there).

For each table: our time, our p-value and, when Rscript is on PATH, R's time
(`fisher.test(workspace = 2e8)`, timed inside R, the same tables after ours; each large table in its
own R process, stopped after --r-timeout seconds), the ratio R / ours and
the relative difference of the p-values. The large tables are each run in a fresh process, whose
peak resident memory is printed. Also the first call in a fresh process, with numba's cache empty
(compiling the kernels) and warm (loading them).

Run:  .venv/bin/python benchmarks/bench_fisher.py [--no-r] [--random 60] [--huge]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
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

# one table in a fresh process: time, p-value, peak resident memory
ONE = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from analysis.stats.crosstab import fisher_exact_rxc
fisher_exact_rxc(np.array([[5, 2, 3], [3, 2, 6], [1, 7, 2]]), limit=10**9)  # loads the kernels (not timed)
from analysis.stats import crosstab
crosstab._kernels()
table = np.array(json.loads(sys.argv[2]))
start = time.perf_counter()
p = fisher_exact_rxc(table)
print(json.dumps({"p": p, "seconds": time.perf_counter() - start,
                  "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FIRST = r"""
import sys, time
start = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import numpy as np
from analysis.stats import crosstab
imported = time.perf_counter()
crosstab.SMALL_NETWORK = 0  # the kernels, not the numpy network of small tables
crosstab.fisher_exact_rxc(np.array([[5, 2, 3], [3, 2, 6], [1, 7, 2]]))
print(f"{imported - start:.2f} {time.perf_counter() - imported:.2f}")
"""

LARGE = ("esoph_alc_tob", "even4x6_n200", "random4x6_n200", "huge3x8_n400", "huge6x8_n300")


def tables(n_random: int, huge: bool) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    large = json.loads(REFERENCE_LARGE.read_text())
    out["esoph_alc_tob"] = np.array(large["esoph_alc_tob"]["table"])
    out["even4x6_n200"] = np.random.default_rng(1).multinomial(200, np.ones(24) / 24).reshape(4, 6)
    out.update({name: np.array(ref["table"]) for name, ref in json.loads(REFERENCE.read_text()).items()})
    rng = np.random.default_rng(20261123)
    for i in range(60):  # always drawn, so that the tables after them are the same
        shape = (int(rng.integers(3, 6)), int(rng.integers(3, 7)))
        probs = np.outer(rng.random(shape[0]) ** 2, rng.random(shape[1]) ** 2).ravel()
        t = rng.multinomial(int(rng.integers(15, 91)), probs / probs.sum()).reshape(shape)
        t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
        if min(t.shape) >= 2 and i < n_random:
            out[f"sparse{i:02d}"] = t
    for i in range(5):
        out[f"wave4x5_{i}"] = rng.multinomial(int(rng.integers(100, 141)), rng.dirichlet(np.ones(20) * 3)).reshape(4, 5)
    out.update({name: np.array(ref["table"]) for name, ref in large.items() if name.startswith("sparse50x50")})
    out["random4x6_n200"] = rng.multinomial(200, np.ones(24) / 24).reshape(4, 6)
    if huge:
        out["huge3x8_n400"] = rng.multinomial(400, np.ones(24) / 24).reshape(3, 8)
        out["huge6x8_n300"] = rng.multinomial(300, np.ones(48) / 48).reshape(6, 8)
    return out


def run_r(data: dict[str, np.ndarray], timeout: float) -> dict | None:
    """R's fisher.test on every table: the small ones in one R process, each large one in its own,
    stopped after ``timeout`` seconds (reported as not finished)."""
    if shutil.which("Rscript") is None:
        return None
    out: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "fisher.R"
        script.write_text(R_SCRIPT)
        small = {k: v for k, v in data.items() if k not in LARGE}
        groups = [small] + [{k: v} for k, v in data.items() if k in LARGE]
        for group in groups:
            path = Path(tmp) / "tables.json"
            path.write_text(json.dumps({k: v.tolist() for k, v in group.items()}))
            try:
                res = subprocess.run(["Rscript", str(script), str(path)], capture_output=True, text=True,
                                     check=True, timeout=timeout if len(group) == 1 else None)
                out.update(json.loads(res.stdout))
            except subprocess.TimeoutExpired:
                out.update({k: {"p": None, "seconds": None, "timeout": timeout} for k in group})
            if len(group) == 1:
                name = next(iter(group))
                print(f"  R {name}: " + (f"{out[name]['seconds']:.2f} s" if out[name]["seconds"] is not None
                                          else f"not finished in {timeout:.0f} s"), flush=True)
    return out


def first_call(cache: str) -> tuple[float, float]:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    out = subprocess.run([sys.executable, "-c", FIRST, str(ROOT)], capture_output=True, text=True, check=True, env=env)
    imported, call = out.stdout.split()
    return float(imported), float(call)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-r", action="store_true", help="do not run R")
    parser.add_argument("--random", type=int, default=60, help="number of random sparse tables")
    parser.add_argument("--huge", action="store_true", help="also 3 x 8 n = 400 and 6 x 8 n = 300")
    parser.add_argument("--r-timeout", type=float, default=900, help="seconds R may take on one large table")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start")
    with tempfile.TemporaryDirectory() as cache:
        cold = first_call(cache)
        warm = first_call(cache)
    print(f"first call in a fresh process (import of the module, then the call): numba's cache empty "
          f"{cold[0]:.2f} s + {cold[1]:.2f} s (compiling the kernels); warm {warm[0]:.2f} s + {warm[1]:.2f} s")
    data = tables(args.random, args.huge)
    ours: dict[str, dict] = {}
    fisher_exact_rxc(np.array([[5, 2, 3], [3, 2, 6], [1, 7, 2]]), limit=10**9)
    for name, t in data.items():
        if name in LARGE:
            res = subprocess.run([sys.executable, "-c", ONE, str(ROOT), json.dumps(t.tolist())],
                                 capture_output=True, text=True, check=True)
            ours[name] = json.loads(res.stdout)
        else:
            start = time.perf_counter()
            p = fisher_exact_rxc(t)
            ours[name] = {"p": p, "seconds": time.perf_counter() - start}
        if name in LARGE or name.startswith("wave"):
            print(f"  ours {name}: {ours[name]['seconds']:.2f} s", flush=True)
    r = None if args.no_r else run_r(data, args.r_timeout)
    print(f"{'table':<16}{'shape':>7}{'n':>5}{'ours (s)':>10}{'R (s)':>9}{'R/ours':>8}{'RSS MiB':>9}  "
          f"{'p (ours)':<20}{'rel. diff':>9}")
    total_ours = total_r = 0.0
    worst = 0.0
    for name, t in data.items():
        p, sec = ours[name]["p"], ours[name]["seconds"]
        r_p = r_sec = None
        if r is not None:
            r_p, r_sec = r[name]["p"], r[name]["seconds"]
        diff = abs(p / r_p - 1) if p is not None and r_p else None
        if diff is not None:
            worst = max(worst, diff)
        if name.startswith("sparse") and not name.startswith("sparse50"):
            total_ours += sec
            total_r += r_sec or 0.0  # noqa: SIM113
            continue
        shape = f"{t.shape[0]}x{t.shape[1]}"
        ratio = f"{r_sec / sec:.1f}" if r_sec is not None and sec > 0 else "-"
        rss = f"{ours[name]['rss_mib']:.0f}" if "rss_mib" in ours[name] else "-"
        r_text = "-" if r is None else (f">{r[name]['timeout']:.0f}" if "timeout" in r[name] else
                                        "error" if r_p is None else f"{r_sec:.2f}")
        print(f"{name:<16}{shape:>7}{int(t.sum()):>5}{sec:>10.3f}{r_text:>9}{ratio:>8}{rss:>9}  "
              f"{('gave up' if p is None else f'{p:.12g}'):<20}{(f'{diff:.1e}' if diff is not None else '-'):>9}")
    print(f"random sparse tables together: ours {total_ours:.2f} s" + (f", R {total_r:.2f} s" if r else ""))
    if r is not None:
        print(f"largest relative difference from R where both computed: {worst:.2e}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
