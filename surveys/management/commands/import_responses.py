from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.imports import read_table, responses_import
from surveys.models import Wave


class Command(BaseCommand):
    help = ("Import completed responses from CSV, XLSX or SAV (columns: question codes; values: option codes or "
            "labels; UTF-8 or Windows-1251, separated by commas, semicolons or tabs; empty cells and NA are missing). "
            "Every value is validated; every error is reported with its row (the file's line) and column; all or "
            "nothing.")

    def add_arguments(self, parser):
        parser.add_argument("wave", help="the wave's slug")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only; store nothing")
        parser.add_argument("--date-format", choices=["iso", "dmy"], default="iso",
                            help="how dates are written: iso = YYYY-MM-DD (default), dmy = DD.MM.YYYY; any other "
                                 "date is reported as an error")

    def handle(self, *args, wave, file, dry_run, date_format, **options):
        try:
            wave_obj = Wave.objects.select_related("instrument").get(slug=wave)
        except Wave.DoesNotExist as exc:
            raise CommandError(f"No wave with the slug {wave!r}.") from exc
        try:
            frame, rows = read_table(file, date_format=date_format)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}; nothing was imported.") from exc
        report = responses_import(wave=wave_obj, frame=frame, first_row=rows, date_format=date_format,
                                  dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{len(report.errors)} errors in {report.rows} rows; nothing was imported.")
        if dry_run:
            self.stdout.write(f"{report.rows} rows are valid; nothing was imported (dry run).")
        else:
            self.stdout.write(f"{report.created} responses imported into {wave_obj.slug}.")
