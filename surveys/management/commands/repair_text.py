"""Report (and repair) stored texts holding lone surrogates or control characters."""
from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from surveys.text import TYPED_FIELDS, repair_summary, stored_text_repair


class Command(BaseCommand):
    help = ("Find stored answers, audit rows, quotes, notes and invitation labels holding characters no text "
            "may hold (lone surrogates, control characters other than tab and newline) and replace each by "
            "U+FFFD (lengths, and so coded spans, are kept). With --dry-run, only report.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")

    def handle(self, *args, dry_run: bool = False, **options):
        with transaction.atomic():
            changed = stored_text_repair(apps.get_model, dry_run=dry_run)
        self.stdout.write(repair_summary(changed))
        if dry_run and changed:
            self.stdout.write("Nothing was changed (--dry-run).")
        checked = ", ".join(f"{a}.{m}.{'/'.join(f)}" for a, m, f in TYPED_FIELDS)
        self.stdout.write(f"Checked: {checked}.")
