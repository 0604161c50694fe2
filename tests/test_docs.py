"""Every management command of the project is documented."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management import get_commands

ROOT = Path(settings.BASE_DIR)


def _docs_text() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_every_project_command_is_documented():
    ours = sorted(name for name, app in get_commands().items() if app in {"surveys", "analysis"})
    assert ours, "no project commands found"
    text = _docs_text()
    missing = [name for name in ours if name not in text]
    assert not missing, f"commands missing from README.md and docs/: {missing}"


def test_readme_starts_with_the_two_commands():
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:1500]
    assert "make run" in head and "make test" in head
