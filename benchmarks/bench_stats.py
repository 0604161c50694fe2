"""Benchmark the statistics core on synthetic surveys, against R when it is installed.

Synthetic survey: eight four-point items (a latent factor plus noise), an ordinal outcome
`readiness` (1..4), a numeric predictor `sc_mean` (the mean of the items: 29 distinct values) and
two categorical predictors (`size`, 4 levels; `region`, 5 levels).

For each size (default 100 000 and 1 000 000 responses) it times every function, reports the peak
memory of the Python process (tracemalloc peak of the call, and the process's max RSS), and, when
Rscript is on PATH, times R doing the same in the same run (ordinal::clm, psych::alpha,
chisq.test, table()) on the same data, printing each ratio ours / R and the largest difference
between our ordinal estimates and clm's.

Run:  .venv/bin/python benchmarks/bench_stats.py [--sizes 100000 1000000] [--no-r]
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analysis.stats import crosstab, distribution, ordinal, reliability  # noqa: E402

ITEMS = [f"sc{i}" for i in range(1, 9)]
BLOCKS = {"b1": ["sc1", "sc6"], "b2": ["sc5", "sc7"], "b3": ["sc3", "sc8"], "b4": ["sc2", "sc4"]}


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.normal(size=n)
    data = {}
    for item in ITEMS:
        latent = 0.7 * g + 0.7 * rng.normal(size=n)
        data[item] = np.searchsorted([-0.8, 0.0, 0.8], latent).astype(np.int8) + 1
    df = pd.DataFrame(data)
    df["sc_mean"] = df[ITEMS].mean(axis=1)
    size = rng.choice(4, size=n, p=[0.3, 0.35, 0.2, 0.15])
    region = rng.choice(5, size=n)
    latent = 1.1 * df["sc_mean"].to_numpy() + np.array([0, .3, .5, .8])[size] + np.array([0, -.2, .1, .3, 0])[region] \
        + rng.logistic(size=n)
    df["readiness"] = np.searchsorted(np.quantile(latent, [0.2, 0.5, 0.8]), latent).astype(np.int8) + 1
    df["size"] = pd.Categorical.from_codes(size, ["micro", "small", "medium", "large"])
    df["region"] = pd.Categorical.from_codes(region, ["Irkutsk", "Perm", "Samara", "Kaluga", "other"])
    return df


def timed(fn, *args, **kwargs):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, elapsed, peak


R_SCRIPT = r"""
suppressPackageStartupMessages({library(ordinal); library(psych); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$readiness <- factor(d$readiness, levels = 1:4, ordered = TRUE)
d$size <- factor(d$size, levels = c("micro", "small", "medium", "large"))
d$region <- factor(d$region, levels = c("Irkutsk", "Perm", "Samara", "Kaluga", "other"))
items <- d[, paste0("sc", 1:8)]
t <- list()
t$item_distribution <- system.time(for (v in names(items)) prop.table(table(factor(items[[v]], levels = 4:1))))[["elapsed"]]
t$cronbach_alpha <- system.time(a <- suppressWarnings(psych::alpha(items)))[["elapsed"]]
t$crosstab <- system.time(x <- suppressWarnings(chisq.test(table(d$sc1, d$region), correct = FALSE)))[["elapsed"]]
t$ordinal_fit <- system.time(m <- clm(readiness ~ sc_mean + size + region, data = d))[["elapsed"]]
est <- c(m$alpha, m$beta)
cat(toJSON(list(times = t, estimates = unname(est), alpha = a$total$raw_alpha), digits = NA, auto_unbox = TRUE))
"""


def run_r(df: pd.DataFrame) -> dict | None:
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "data.csv"
        df.to_csv(csv, index=False)
        script = Path(tmp) / "bench.R"
        script.write_text(R_SCRIPT)
        out = subprocess.run(["Rscript", str(script), str(csv)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    for n in args.sizes:
        df = synthetic(n)
        print(f"\n== n = {n:,} responses ==")
        results = {}
        res, results["item_distribution"], mem1 = timed(distribution.item_distribution, df, ITEMS, [4, 3, 2, 1])
        res, results["cronbach_alpha"], mem2 = timed(reliability.cronbach_alpha, df, ITEMS)
        alpha = res.alpha
        _, results["polychoric"], mem3 = timed(reliability.polychoric, df, ITEMS)
        _, results["ordinal_alpha"], mem4 = timed(reliability.ordinal_alpha, df, ITEMS)
        _, results["omega"], mem5 = timed(reliability.omega, df, ITEMS)
        _, results["block_reliability"], mem6 = timed(reliability.block_reliability, df, BLOCKS)
        _, results["crosstab"], mem7 = timed(crosstab.crosstab, df, "sc1", "region")
        fit, results["ordinal_fit"], mem8 = timed(ordinal.fit, df, "readiness ~ sc_mean + size + region")
        peak = max(mem1, mem2, mem3, mem4, mem5, mem6, mem7, mem8)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        r = None if args.no_r else run_r(df)
        print(f"{'function':<20}{'ours (s)':>10}{'R (s)':>10}{'ours/R':>9}")
        for name, seconds in results.items():
            r_time = r["times"].get(name) if r else None
            ratio = f"{seconds / r_time:>9.3f}" if r_time else f"{'':>9}"
            r_col = f"{r_time:>10.3f}" if r_time is not None else f"{'-':>10}"
            print(f"{name:<20}{seconds:>10.3f}{r_col}{ratio}")
        print(f"peak traced memory of one call: {peak / 2**20:.0f} MiB; process max RSS: {rss:.0f} MiB")
        print(f"ordinal fit: {fit.iterations} Newton iterations, converged {fit.converged}")
        if r:
            ours = np.concatenate([fit.thresholds["estimate"], fit.coefficients["estimate"]])
            print(f"max |ours - clm| over thresholds and coefficients: {np.max(np.abs(ours - r['estimates'])):.2e}")
            print(f"alpha: ours {alpha:.10f}, psych {r['alpha']:.10f}")


if __name__ == "__main__":
    main()
