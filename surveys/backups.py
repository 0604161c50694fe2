"""Back the database up and restore it: pg_dump/pg_restore for PostgreSQL, SQLite's online backup API.

Used by `manage.py backup_db` / `restore_db` (and `make backup` / `make restore FILE=...`).
"""
from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connections
from django.utils import timezone


class BackupError(Exception):
    """A backup or restore could not be made; the message says why."""


def _vendor(alias: str) -> str:
    return connections[alias].vendor


def _pg_tool(name: str) -> str:
    candidates = [os.environ.get("PG_BINDIR", ""), *sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in candidates:
        if folder and Path(folder, name).exists():
            return str(Path(folder, name))
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs (postgresql-client).")
    return found


def _pg_args_env(alias: str) -> tuple[list[str], dict[str, str]]:
    s = connections[alias].settings_dict
    args = []
    if s.get("HOST"):
        args += ["-h", str(s["HOST"])]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def default_backup_path(alias: str = "default", folder: Path | None = None) -> Path:
    from django.conf import settings

    folder = folder or Path(settings.VAR_DIR) / "backups"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if _vendor(alias) == "postgresql" else "sqlite3"
    return folder / f"db-{stamp}.{suffix}"


def backup(path: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database to ``path`` while the site keeps running."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = connections[alias]
    if conn.vendor == "sqlite":
        conn.ensure_connection()
        target = sqlite3.connect(path)
        try:
            conn.connection.backup(target)
        finally:
            target.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_args_env(alias)
        result = subprocess.run([_pg_tool("pg_dump"), "-Fc", "--no-owner", "-f", str(path), *args,
                                 str(conn.settings_dict["NAME"])], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            path.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"Backups of {conn.vendor} databases are not supported.")
    return path


def _check_sqlite_file(path: Path) -> None:
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not an SQLite backup.")
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        status = source.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        source.close()
    if status != "ok":
        raise BackupError(f"{path} is damaged: {status}")


def restore(path: Path, alias: str = "default") -> None:
    """Replace the database's contents with the backup at ``path`` (all or nothing)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such file.")
    conn = connections[alias]
    if conn.vendor == "sqlite":
        _check_sqlite_file(path)
        conn.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(conn.connection)
        finally:
            source.close()
    elif conn.vendor == "postgresql":
        args, env = _pg_args_env(alias)
        listing = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], capture_output=True, text=True)
        if listing.returncode != 0:
            raise BackupError(f"{path} is not a PostgreSQL backup (pg_dump -Fc): {listing.stderr.strip()}")
        conn.close()
        result = subprocess.run(
            [_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
             "--exit-on-error", "-d", str(conn.settings_dict["NAME"]), *args, str(path)],
            env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed (nothing was changed): {result.stderr.strip()}")
    else:
        raise BackupError(f"Restoring {conn.vendor} databases is not supported.")
