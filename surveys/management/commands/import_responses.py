from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.imports import read_table, responses_import
from surveys.models import Wave


class Command(BaseCommand):
    help = ("Import completed responses from CSV, XLSX or SAV (columns: question codes; values: option codes or "
            "labels). Every value is validated; every error is reported with its row and column; all or nothing.")

    def add_arguments(self, parser):
        parser.add_argument("wave", help="the wave's slug")
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="validate only; store nothing")

    def handle(self, *args, wave, file, dry_run, **options):
        try:
            wave_obj = Wave.objects.select_related("instrument").get(slug=wave)
        except Wave.DoesNotExist as exc:
            raise CommandError(f"No wave with the slug {wave!r}.") from exc
        try:
            frame, first_row = read_table(file)
        except (OSError, ValueError) as exc:
            raise CommandError(f"{file}: {exc}") from exc
        report = responses_import(wave=wave_obj, frame=frame, first_row=first_row, dry_run=dry_run)
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(f"{len(report.errors)} errors in {report.rows} rows; nothing was imported.")
        if dry_run:
            self.stdout.write(f"{report.rows} rows are valid; nothing was imported (dry run).")
        else:
            self.stdout.write(f"{report.created} responses imported into {wave_obj.slug}.")
