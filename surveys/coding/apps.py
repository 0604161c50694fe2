from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "surveys.coding"
    label = "coding"
    verbose_name = _("Coding")
