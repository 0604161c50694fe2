from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldworkConfig(AppConfig):
    name = "surveys.fieldwork"
    label = "fieldwork"
    verbose_name = _("Fieldwork: e-mail invitations, reminders, background jobs")
    default_auto_field = "django.db.models.BigAutoField"
