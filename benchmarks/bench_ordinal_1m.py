"""Benchmark the ordinal fit when every covariate pattern is distinct, against R's ordinal::clm.

Data: n rows (default 1 000 000) of a four-category outcome on two continuous predictors (x1 normal,
x2 uniform: every row its own covariate pattern, so the pattern collapsing cannot help) and a
three-level factor g, generated with a fixed seed. For each link asked for (default logit) it times
``ordinal.fit(data, "y ~ x1 + x2 + g")`` (everything the fit does, the Brant test of the logit link
included), reports the peak memory of the call (tracemalloc) and the process's max RSS, and, when
Rscript is on PATH, times
``clm(y ~ x1 + x2 + g)`` on the same data in the same run (the fit alone, inside R, with
``system.time``), printing the ratio ours / R and the largest difference between the estimates.

Run:  .venv/bin/python benchmarks/bench_ordinal_1m.py [--n 1000000] [--links logit probit] [--no-r]
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

from analysis.stats import ordinal  # noqa: E402

R_SCRIPT = r"""
suppressPackageStartupMessages({library(ordinal); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1])
d$y <- factor(d$y, levels = 1:4, ordered = TRUE)
d$g <- factor(d$g, levels = c("a", "b", "c"))
out <- list()
for (link in strsplit(args[2], ",")[[1]]) {
  gc()
  s <- system.time(m <- clm(y ~ x1 + x2 + g, data = d, link = link))[["elapsed"]]
  out[[link]] <- list(seconds = s, thresholds = unname(m$alpha), coefficients = unname(m$beta),
                      loglik = as.numeric(logLik(m)), max_grad = m$maxGradient,
                      mem_mb = sum(gc()[, 6]))
}
cat(toJSON(out, digits = NA, auto_unbox = TRUE))
"""


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.uniform(size=n)
    g = rng.choice(3, size=n)
    latent = 0.8 * x1 - 1.2 * x2 + np.array([0.0, 0.4, -0.3])[g] + rng.logistic(size=n)
    y = np.searchsorted([-1.0, 0.0, 1.2], latent) + 1
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": pd.Categorical.from_codes(g, ["a", "b", "c"])})


def timed(fn, *args, **kwargs):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, elapsed, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--links", nargs="+", default=["logit"], choices=list(ordinal.LINKS))
    parser.add_argument("--no-r", action="store_true")
    args = parser.parse_args()
    data = synthetic(args.n)
    assert data[["x1", "x2"]].drop_duplicates().shape[0] == args.n  # every pattern distinct
    print(f"n = {args.n:,} rows, {args.n:,} distinct covariate patterns; y ~ x1 + x2 + g")
    ours = {}
    for link in args.links:
        res, seconds, peak = timed(ordinal.fit, data, "y ~ x1 + x2 + g", link=link)
        ours[link] = (res, seconds, peak)
        print(f"ours  {link:8s} {seconds:7.2f} s   peak {peak / 2**20:7.0f} MiB (tracemalloc)   "
              f"{res.iterations} Newton iterations, loglik {res.loglik:.6f}")
    print(f"ours  max RSS of the process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
          "(data included)")
    rscript = shutil.which("Rscript")
    if args.no_r or not rscript:
        print("R: not run" + ("" if rscript else " (Rscript not on PATH)"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "data.csv", Path(tmp) / "bench.R"
        data.to_csv(csv, index=False, float_format="%.17g")
        script.write_text(R_SCRIPT)
        t0 = time.perf_counter()
        proc = subprocess.run([rscript, str(script), str(csv), ",".join(args.links)], capture_output=True, text=True,
                              check=True)
        wall = time.perf_counter() - t0
        r = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"R run (reading the CSV included) {wall:.1f} s")
    for link in args.links:
        res, seconds, _ = ours[link]
        ref = r[link]
        diff = max(np.max(np.abs(res.thresholds["estimate"].to_numpy() - ref["thresholds"])),
                   np.max(np.abs(res.coefficients["estimate"].to_numpy() - ref["coefficients"])))
        print(f"clm   {link:8s} {ref['seconds']:7.2f} s   R memory in use after the fit {ref['mem_mb']:.0f} MB   "
              f"loglik {ref['loglik']:.6f} (max gradient {ref['max_grad']:.1e})")
        print(f"      ours / clm = {seconds / ref['seconds']:.3f}; largest difference of the estimates {diff:.2e}; "
              f"loglik difference {res.loglik - ref['loglik']:.2e}")


if __name__ == "__main__":
    main()
