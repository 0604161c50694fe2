"""Give the "Admins" group the admin-site permissions of fieldwork: the e-mail messages (view, and
change for the retry and mark-sent actions), mailings, contacts and jobs (view), the e-mail texts
(all), and the task engine's results (view). Only adds, never removes; can run again."""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from surveys.roles import ADMINS

PERMISSIONS = {
    "fieldwork": ["view_message", "change_message", "view_mailing", "view_contact", "view_job",
                  "view_messagetemplate", "add_messagetemplate", "change_messagetemplate",
                  "delete_messagetemplate"],
    "django_tasks_database": ["view_dbtaskresult"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=ADMINS)
    for app_label, codenames in PERMISSIONS.items():
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMINS).first()
    if group is not None:
        for app_label, codenames in PERMISSIONS.items():
            group.permissions.remove(*Permission.objects.filter(content_type__app_label=app_label,
                                                                codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0001_initial"),
        ("surveys", "0007_admins_permissions"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
