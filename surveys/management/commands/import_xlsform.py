from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.xlsform import XLSFormError, xlsform_import


class Command(BaseCommand):
    help = ("Create or update an instrument from an XLSForm workbook (.xlsx, .xls). Unsupported features are "
            "listed with their sheet, row and column, and nothing is stored.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the XLSForm workbook")
        parser.add_argument("--code", help="the instrument's code (default: the form_id of the settings sheet, "
                                           "else the file name)")
        parser.add_argument("--dry-run", action="store_true", help="check everything, store nothing")

    def handle(self, *args, file: Path, code: str | None, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            result = xlsform_import(source=file.read_bytes(), code=code, dry_run=dry_run, default_code=file.stem)
        except XLSFormError as exc:
            raise CommandError(f"{file} cannot be imported:\n- " + "\n- ".join(exc.problems)) from exc
        for warning in result.warnings:
            self.stderr.write(f"Warning: {warning}")
        n = sum(len(s["questions"]) for s in result.definition["sections"])
        if dry_run:
            self.stdout.write(f"{file.name}: valid; would load instrument {result.definition['code']} "
                              f"({n} questions). Nothing stored (--dry-run).")
        else:
            self.stdout.write(f"Loaded instrument {result.instrument.code} ({n} questions) from {file.name}")
