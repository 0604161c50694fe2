from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys import backups


class Command(BaseCommand):
    help = ("Back the database up while the site runs: pg_dump -Fc for PostgreSQL, SQLite's online backup "
            "API for SQLite. Default file: var/backups/db-<time>.dump or .sqlite3.")

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, help="the file to write")
        parser.add_argument("--database", default="default")

    def handle(self, *args, out, database, **options):
        path = out or backups.default_backup_path(database)
        try:
            backups.backup(path, database)
        except (backups.BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
