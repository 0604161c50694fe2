"""The project's configurations of other apps: the admin site it uses, and the names in the
page's language of two apps that give theirs in English only."""
from __future__ import annotations

from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, pgettext_lazy
from django_tasks_db.apps import TasksAppConfig


class AdminConfig(DjangoAdminConfig):
    """``django.contrib.admin`` with the project's admin site as ``admin.site``."""

    default_site = "config.admin_site.SurveyAdminSite"


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login lock-outs")


class TasksDatabaseConfig(TasksAppConfig):
    verbose_name = _("Background task results")


# Strings of other apps' admin pages that they mark for translation but that their Russian
# catalogues lack (django-tasks-db has none); the project's catalogue has them.
AXES_STRINGS = (
    gettext_noop("Locked Out"), gettext_noop("Attempt Remaining"), gettext_noop("Not set"),
    gettext_noop("Clean up expired attempts"), gettext_noop("Access Attempt"), gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Session key hash (sha256)"),
)
TASK_RESULT_STRINGS = (
    pgettext_lazy("Task", "Ready"), pgettext_lazy("Task", "Running"), pgettext_lazy("Task", "Failed"),
    pgettext_lazy("Task", "Successful"),
    gettext_noop("Task Result"), gettext_noop("Task Results"), gettext_noop("enqueued at"),
    gettext_noop("args kwargs"), gettext_noop("priority"), gettext_noop("task path"), gettext_noop("worker id"),
    gettext_noop("queue name"), gettext_noop("backend name"), gettext_noop("return value"),
    gettext_noop("exception class path"),
)
