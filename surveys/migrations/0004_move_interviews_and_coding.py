"""Interviews and coding become apps of their own (issue 10).

The models leave the ``surveys`` state (state only: their tables keep their names and rows; the
``interviews`` and ``coding`` apps take them over in their 0001), and their content types move
to the new app labels, so that permissions (auth_permission rows point to a content type) and
admin history (django_admin_log rows point to a content type) stay attached to them.
"""
from django.db import migrations

MOVED = {
    "interviews": ["interviewerassignment", "interview", "historicalinterview", "answerchange"],
    "coding": ["codebook", "codebookcategory", "historicalcodebookcategory", "coding", "appliedcode",
               "codingdecision", "finalcode"],
}


def _move_content_types(apps, *, to_new_apps: bool) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    LogEntry = apps.get_model("admin", "LogEntry")
    for app_label, models in MOVED.items():
        old_label, new_label = ("surveys", app_label) if to_new_apps else (app_label, "surveys")
        for model in models:
            source = ContentType.objects.filter(app_label=old_label, model=model).first()
            if source is None:
                continue  # a database migrated before content types were created: post_migrate makes them
            target = ContentType.objects.filter(app_label=new_label, model=model).first()
            if target is None:
                source.app_label = new_label
                source.save(update_fields=["app_label"])
                continue
            # Both exist (post_migrate ran with the new code before this migration): keep the target
            # and move what points to the source onto it.
            LogEntry.objects.filter(content_type=source).update(content_type=target)
            for permission in Permission.objects.filter(content_type=source):
                twin = Permission.objects.filter(content_type=target, codename=permission.codename).first()
                if twin is None:
                    permission.content_type = target
                    permission.save(update_fields=["content_type"])
                    continue
                twin.group_set.add(*permission.group_set.all())
                twin.user_set.add(*permission.user_set.all())
                permission.delete()
            source.delete()


def forwards(apps, schema_editor):
    _move_content_types(apps, to_new_apps=True)


def backwards(apps, schema_editor):
    _move_content_types(apps, to_new_apps=False)


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0003_interviews"),
        ("interviews", "0001_initial"),
        ("coding", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="AnswerChange"),
                migrations.DeleteModel(name="HistoricalInterview"),
                migrations.DeleteModel(name="Interview"),
                migrations.DeleteModel(name="InterviewerAssignment"),
                migrations.DeleteModel(name="FinalCode"),
                migrations.DeleteModel(name="AppliedCode"),
                migrations.DeleteModel(name="CodingDecision"),
                migrations.DeleteModel(name="Coding"),
                migrations.DeleteModel(name="HistoricalCodebookCategory"),
                migrations.DeleteModel(name="CodebookCategory"),
                migrations.DeleteModel(name="Codebook"),
            ],
        ),
        migrations.RunPython(forwards, backwards),
    ]
