from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.selectors import instrument_latest_get
from surveys.xlsform import xlsform_workbook


class Command(BaseCommand):
    help = "Write an instrument as an XLSForm workbook (.xlsx) that ODK and KoboToolbox tools read."

    def add_arguments(self, parser):
        parser.add_argument("code", help="the instrument's code")
        parser.add_argument("file", type=Path, help="the .xlsx file to write")

    def handle(self, *args, code: str, file: Path, **options):
        instrument = instrument_latest_get(code=code)  # the version new waves use
        if instrument is None:
            raise CommandError(f"No instrument {code!r}.")
        file.write_bytes(xlsform_workbook(instrument))
        self.stdout.write(f"Wrote instrument {code} to {file}")
