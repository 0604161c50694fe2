"""Interviews: which interviewers may record in which wave, the interviewer's side of a response,
and the audit trail of its answers.

An interview is a Response (with Answer rows) of a wave of an interview guide, recorded by an
interviewer; ``Interview`` holds what a respondent's response does not have (see docs/interviews.md).
The tables keep the names they had in the ``surveys`` app.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from surveys.models import Question, Response, Wave


class InterviewerAssignment(models.Model):
    """Which interviewers may record interviews in which wave."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="interviewer_assignments",
                             verbose_name=_("wave"))
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    related_name="interview_assignments", verbose_name=_("interviewer"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["wave", "interviewer"]
        constraints = [models.UniqueConstraint(fields=["wave", "interviewer"], name="interviewer_assignment_unique")]
        db_table = "surveys_interviewerassignment"  # the table of the model before the apps were split
        verbose_name = _("interviewer assignment")
        verbose_name_plural = _("interviewer assignments")

    def __str__(self) -> str:
        return f"{self.interviewer} @ {self.wave.slug}"


class Interview(models.Model):
    """The interviewer's side of a response: who, consent, completion, and a version for locking."""

    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="interview",
                                    verbose_name=_("response"))
    interviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interviews",
                                    verbose_name=_("interviewer"))
    consent_at = models.DateTimeField(_("consent recorded at"))
    version = models.PositiveIntegerField(_("version"), default=1)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))
    history = HistoricalRecords(table_name="surveys_historicalinterview")

    class Meta:
        ordering = ["-consent_at"]
        db_table = "surveys_interview"  # the table of the model before the apps were split
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")

    def __str__(self) -> str:
        return str(self.response)

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class AnswerChange(models.Model):
    """Audit trail of an interview's answers: one row per changed answer per save."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="changes",
                                  verbose_name=_("interview"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    version = models.PositiveIntegerField(_("version"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    old_value = models.JSONField(_("old value"), null=True, blank=True)
    new_value = models.JSONField(_("new value"), null=True, blank=True)

    class Meta:
        ordering = ["-version", "question__section__order", "question__order"]
        db_table = "surveys_answerchange"  # the table of the model before the apps were split
        verbose_name = _("answer change")
        verbose_name_plural = _("answer changes")

    def __str__(self) -> str:
        return f"v{self.version} {self.question.code}: {self.old_value!r} -> {self.new_value!r}"
