from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from surveys.instruments import instrument_import_file
from surveys.xlsform import XLSFormError, xlsform_import

DEFAULT_DIR = Path(settings.BASE_DIR) / "fixtures" / "instruments"


class Command(BaseCommand):
    help = "Load instrument definitions (JSON or XLSForm .xlsx) into the database; idempotent."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", type=Path,
                            help=f"JSON or .xlsx files (default: every file in {DEFAULT_DIR.relative_to(settings.BASE_DIR)})")

    def handle(self, *args, files, **options):
        paths = files or sorted([*DEFAULT_DIR.glob("*.json"), *DEFAULT_DIR.glob("*.xlsx")])
        for path in paths:
            try:
                if path.suffix.lower() in (".xlsx", ".xls"):
                    instrument = xlsform_import(source=path.read_bytes(), default_code=path.stem).instrument
                else:
                    instrument = instrument_import_file(path=path)
            except XLSFormError as exc:
                raise CommandError(f"{path}:\n- " + "\n- ".join(exc.problems)) from exc
            except (OSError, ValueError, ValidationError) as exc:
                raise CommandError(f"{path}: {exc}") from exc
            self.stdout.write(f"Loaded instrument {instrument.code} "
                              f"({instrument.questions.count()} questions) from {path.name}")
