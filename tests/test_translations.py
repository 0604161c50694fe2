"""The Russian catalogue is complete, not fuzzy, compiled, and covers every marked string."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = _catalogue()
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated}"
    assert not fuzzy, f"fuzzy: {fuzzy}"
    plural_gaps = [e.msgid for e in po if e.msgid_plural and not all(e.msgstr_plural.values())]
    assert not plural_gaps, f"plural forms missing: {plural_gaps}"


def test_compiled_catalogue_is_not_stale():
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in polib.mofile(str(MO))}
    source = {(e.msgctxt, e.msgid): (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()})
              for e in _catalogue() if not e.obsolete and "fuzzy" not in e.flags}
    compiled = {k: (v[0], {int(i): s for i, s in v[1].items()}) for k, v in compiled.items() if k[1]}
    assert compiled == source, "locale/ru/LC_MESSAGES/django.mo is stale: run `make messages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (make test installs it)")
def test_catalogue_covers_every_marked_string(tmp_path):
    """makemessages over the sources finds no msgid the catalogue lacks."""
    root = Path(settings.BASE_DIR)
    work = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "__pycache__", "staticfiles", "*.mo")
    shutil.copytree(root, work, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "--no-obsolete", "-v", "0"],
        cwd=work, check=True, capture_output=True, env={"DJANGO_SETTINGS_MODULE": "config.settings.test", "PATH": "/usr/bin:/bin"},
    )
    fresh = {e.msgid for e in polib.pofile(str(work / "locale/ru/LC_MESSAGES/django.po"))}
    known = {e.msgid for e in _catalogue()}
    assert fresh - known == set(), f"strings missing from the catalogue (run `make messages`): {sorted(fresh - known)}"


@pytest.mark.django_db
def test_instrument_texts_exist_in_both_languages(instruments):
    from surveys.models import Option, Question, Section
    for model, fields in ((Question, ["text"]), (Section, ["title"]), (Option, ["label"])):
        for obj in model.objects.all():
            for f in fields:
                assert getattr(obj, f"{f}_en") and getattr(obj, f"{f}_ru"), f"{model.__name__} {obj.pk} lacks {f}"
