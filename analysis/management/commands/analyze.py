"""manage.py analyze <wave> [--out DIR] [--lang en|ru]: every table and figure of the report."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analysis.bundle import wave_bundle_write
from surveys.models import Wave

STEPS = ["data", "report", "tables", "figures", "report page"]


class Command(BaseCommand):
    help = ("Write every table and figure of a wave's report (CSV, XLSX, LaTeX, HTML, PNG/SVG/PDF), the data, "
            "the codebook, report.html and a README into a folder.")

    def add_arguments(self, parser):
        parser.add_argument("wave", help="the wave's slug")
        parser.add_argument("--out", type=Path, default=None, help="output folder (default: out/<wave>)")
        parser.add_argument("--lang", choices=["en", "ru"], default="en")

    def handle(self, *args, wave, out, lang, **options):
        try:
            wave_obj = Wave.objects.select_related("instrument").get(slug=wave)
        except Wave.DoesNotExist as exc:
            raise CommandError(f"No wave with the slug {wave!r}.") from exc
        out = out or Path("out") / wave_obj.slug
        with tqdm(total=len(STEPS), desc=wave_obj.slug, unit="step",
                  disable=options.get("verbosity", 1) < 1) as bar:
            started = []

            def progress(step: str) -> None:
                if started:
                    bar.update(1)
                started.append(step)
                bar.set_postfix_str(step)

            written = wave_bundle_write(wave_obj, out, lang=lang, progress=progress)
            bar.update(1)
        self.stdout.write(f"{len(written)} files written to {out}")
