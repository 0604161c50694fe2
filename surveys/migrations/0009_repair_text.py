"""Repair the stored texts that hold characters the text normaliser now refuses (lone surrogates,
control characters other than tab and newline): each becomes U+FFFD, so lengths and coded spans
are kept. Prints what it changed; ``manage.py repair_text`` does the same on demand."""

from django.db import migrations


def repair(apps, schema_editor):
    from surveys.text import repair_summary, stored_text_repair

    changed = stored_text_repair(apps.get_model)
    if changed:
        print("\n  " + repair_summary(changed).replace("\n", "\n  "))


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0008_option_missing"),
        ("interviews", "0001_initial"),
        ("coding", "0001_initial"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
