from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from surveys.signals import responses_completed

        responses_completed.connect(_responses_completed, dispatch_uid="analysis-exact-prepare")


def _responses_completed(sender, *, wave_id: int, batch: bool = False, **kwargs) -> None:
    """New completed responses of a wave: the worker computes its exact tests ahead
    (:func:`analysis.tasks.exact_prepare_schedule`; at once after a batch). The tasks module
    (pandas, the statistics) is imported when first needed, not by every process at start."""
    from .tasks import exact_prepare_schedule

    exact_prepare_schedule(wave_id, at_once=batch)
