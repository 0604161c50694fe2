"""Benchmark frames and exports on large waves (a temporary SQLite database).

For each size (default 20 000, 50 000 and 100 000 completed responses of the social-capital
questionnaire) it reports: the time and peak traced memory of building the frame; the CSV export
(streamed from the stored line of each response) in responses per second and its peak memory, the
time to write those lines once, and a first export that must write them all; the SPSS, Stata and
XLSX exports (XLSX streamed from the stored lines: with them stored, and a first export that writes
them); the CSV for Excel without free text; and, for the largest size, `analyze` end to end: in
this process, and as `manage.py analyze` in a process of its own (wall time and peak resident
memory, what the operating system counts).

Peak memory of the in-process steps is what tracemalloc sees (Python's allocations, numpy and
pandas included; not readstat's own C buffers).

Run:  .venv/bin/python benchmarks/bench_frames_exports.py [--sizes 20000 50000 100000] [--no-analyze]
      .venv/bin/python benchmarks/bench_frames_exports.py --sizes 1000000 --only-analyze
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def measure(fn):
    """Time a call (untraced), then repeat it under tracemalloc for its peak memory (tracing slows
    Python down several times, so the two are measured apart)."""
    t0 = time.perf_counter()
    out = fn()
    elapsed = time.perf_counter() - t0
    del out
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, elapsed, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 50_000, 100_000])
    parser.add_argument("--no-analyze", action="store_true")
    parser.add_argument("--only-analyze", action="store_true",
                        help="create the waves and run only `analyze` on the largest (e.g. --sizes 1000000)")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-frames-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    from analysis import exports, frames
    from analysis.frames import lines
    from analysis.models import ResponseLine
    from analysis.bundle import wave_bundle_write
    from surveys.models import Wave

    from benchmarks.large_wave import make_wave

    call_command("migrate", verbosity=0)
    call_command("load_instruments", verbosity=0)
    for n in args.sizes:
        t0 = time.perf_counter()
        wave = make_wave(n)
        print(f"\n== {n:,} responses (created in {time.perf_counter() - t0:.1f} s) ==")
        if args.only_analyze:
            continue
        df, seconds, peak = measure(lambda: frames.wave_frame(wave))
        print(f"frame: {seconds:.2f} s, peak {peak:.0f} MiB, shape {df.shape}")
        del df
        out = Path(tmp) / f"{n}.csv"

        def csv_export():
            with open(out, "w", encoding="utf-8") as fh:
                for line in exports.csv_rows(wave):
                    fh.write(line)

        t0 = time.perf_counter()
        written = lines.csv_lines_refresh(wave)
        seconds = time.perf_counter() - t0
        print(f"CSV lines written (once per response, on its first export): {written:,} in {seconds:.2f} s "
              f"= {n / seconds:,.0f} responses/s")
        _, seconds, peak = measure(csv_export)
        print(f"CSV export: {seconds:.2f} s = {n / seconds:,.0f} responses/s, peak {peak:.0f} MiB, "
              f"{out.stat().st_size / 2**20:.1f} MiB written")
        ResponseLine.objects.filter(response__wave=wave).delete()
        t0 = time.perf_counter()
        csv_export()
        seconds = time.perf_counter() - t0
        print(f"CSV export with no line stored yet (writes them all first): {seconds:.2f} s = "
              f"{n / seconds:,.0f} responses/s")
        _, seconds, peak = measure(lambda: exports.write_data(wave, "sav", Path(tmp) / f"{n}.sav"))
        print(f"SPSS export: {seconds:.2f} s, peak {peak:.0f} MiB")
        _, seconds, peak = measure(lambda: exports.write_data(wave, "dta", Path(tmp) / f"{n}.dta"))
        print(f"Stata export: {seconds:.2f} s, peak {peak:.0f} MiB")
        xlsx = Path(tmp) / f"{n}.xlsx"
        _, seconds, peak = measure(lambda: exports.write_data(wave, "xlsx", xlsx))
        print(f"XLSX export (lines stored): {seconds:.2f} s, peak {peak:.0f} MiB, "
              f"{xlsx.stat().st_size / 2**20:.1f} MiB written")
        ResponseLine.objects.filter(response__wave=wave).delete()
        t0 = time.perf_counter()
        exports.write_data(wave, "xlsx", xlsx)
        print(f"XLSX export with no line stored yet (writes them all first): {time.perf_counter() - t0:.2f} s")
        _, seconds, peak = measure(lambda: exports.write_data(wave, "csv", Path(tmp) / f"{n}-excel.csv", bom=True,
                                                              free_text=False))
        print(f"CSV for Excel without free text (re-written from the stored lines): {seconds:.2f} s, "
              f"peak {peak:.0f} MiB")
    if not args.no_analyze:
        wave = Wave.objects.get(slug=f"bench-{args.sizes[-1]}")
        if not args.only_analyze:
            _, seconds, peak = measure(lambda: wave_bundle_write(wave, Path(tmp) / "report", lang="en"))
            print(f"\nanalyze end to end on {args.sizes[-1]:,} responses (in this process): {seconds:.1f} s, "
                  f"peak {peak:.0f} MiB traced")
        # the command as a researcher runs it, in its own process: wall time and peak resident memory
        t0 = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "manage.py"), "analyze", wave.slug, "--out",
                        str(Path(tmp) / "analyze"), "--verbosity", "0"], check=True, cwd=ROOT, env=os.environ.copy())
        seconds = time.perf_counter() - t0
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"manage.py analyze on {args.sizes[-1]:,} responses (its own process): {seconds:.1f} s, "
              f"peak resident memory {rss:.0f} MiB")


if __name__ == "__main__":
    main()
