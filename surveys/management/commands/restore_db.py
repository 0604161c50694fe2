from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import backups


class Command(BaseCommand):
    help = "Replace the database's contents with a backup made by backup_db (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, yes, database, **options):
        if not yes:
            answer = input(f"Replace everything in the database with {file}? Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            backups.restore(file, database)
        except (backups.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {file}.")
