"""Give the "Admins" group the admin-site permissions its name promises.

Idempotent and self-contained: it creates the permissions if they are missing and
only adds (never removes) group permissions, so it can run again, or after other
0004 migrations, without harm. The list is ``surveys.roles.ADMIN_SITE_PERMISSIONS``.
"""
from django.contrib.auth.management import create_permissions
from django.db import migrations

from surveys.roles import ADMINS, admin_site_codenames


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():  # the permissions must exist before the group gets them
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=ADMINS)
    group.permissions.add(*Permission.objects.filter(
        content_type__app_label="surveys", codename__in=admin_site_codenames()))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=ADMINS).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="surveys", codename__in=admin_site_codenames()))


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0006_question_labels_blocks"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
