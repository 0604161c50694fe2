from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from analysis import exports
from analysis.frames import lines
from surveys.models import Wave


class Command(BaseCommand):
    help = "Export a wave's completed responses as CSV, XLSX, SPSS (.sav) or Stata (.dta), with labels."

    def add_arguments(self, parser):
        parser.add_argument("wave", help="the wave's slug")
        parser.add_argument("--format", choices=exports.DATA_FORMATS, required=True)
        parser.add_argument("--out", type=Path, required=True, help="file to write")
        parser.add_argument("--lang", choices=["en", "ru"], default="en", help="language of the labels")
        parser.add_argument("--bom", action="store_true",
                            help="CSV for Excel: a UTF-8 byte-order mark, and text answers beginning with =, +, -, @, "
                                 "tab or carriage return prefixed with ' so that no cell runs as a formula")
        parser.add_argument("--no-free-text", action="store_true",
                            help="leave out the free-text answers (they may hold personal data)")

    def handle(self, *args, wave, format, out, lang, bom, no_free_text, **options):
        try:
            wave_obj = Wave.objects.select_related("instrument").get(slug=wave)
        except Wave.DoesNotExist as exc:
            raise CommandError(f"No wave with the slug {wave!r}.") from exc
        if format == "csv":  # write the responses' stored lines first, with a progress bar
            with tqdm(desc="CSV lines", unit="response", disable=options["verbosity"] < 1) as bar:
                def progress(done, total):
                    bar.total = total
                    bar.update(done - bar.n)
                lines.csv_lines_refresh(wave_obj, progress=progress)
        exports.write_data(wave_obj, format, out, lang=lang, bom=bom, free_text=not no_free_text)
        self.stdout.write(f"{wave_obj.slug}: written to {out}")
