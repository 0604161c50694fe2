"""Coding of open answers: codebooks and their categories, one coder's coding of a unit, the
codes applied, and the final codes a researcher sets.

Coders code the open answers of a question (``x_text``) into the categories of a codebook; final
codes are written back to the coded question's Answer (see docs/interviews.md). The tables keep
the names they had in the ``surveys`` app.
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from surveys.models import Question, Response, TranslatedMixin


class Codebook(models.Model):
    """The categories into which the open answers to ``text_question`` are coded.

    ``question`` is the coded (choice) question whose Answer carries the final codes. ``design``
    says how many coders each answer needs: two, then a researcher's consensus (double coding),
    or one whose codes are final (single coding).
    """

    class Design(models.TextChoices):
        DOUBLE = "double", _("Double coding: two coders, then a researcher’s consensus")
        SINGLE = "single", _("Single coding: one coder’s codes are final")

    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="codebook",
                                    verbose_name=_("coded question"))
    text_question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+",
                                      verbose_name=_("open question"))
    design = models.CharField(_("coding design"), max_length=8, choices=Design.choices, default=Design.DOUBLE)
    coders_may_decide = models.BooleanField(
        _("a coder of an answer may set its consensus"), default=False,
        help_text=_("Off: the final codes of an answer are set by a researcher who did not code it."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["question__instrument", "question__section__order", "question__order"]
        db_table = "surveys_codebook"  # the table of the model before the apps were split
        verbose_name = _("codebook")
        verbose_name_plural = _("codebooks")

    def clean(self) -> None:
        """The open question whose answers are coded belongs to the coded question's instrument."""
        if self.question_id and self.text_question_id and \
                self.text_question.instrument_id != self.question.instrument_id:
            raise ValidationError({"text_question": ValidationError(
                _("The open question “%(text)s” belongs to another instrument (%(other)s); choose an open question "
                  "of %(instrument)s."), code="text_question_instrument",
                params={"text": self.text_question.code, "other": self.text_question.instrument,
                        "instrument": self.question.instrument})})

    def __str__(self) -> str:
        return f"{self.question.instrument.code}:{self.question.code}"

    @property
    def required_codings(self) -> int:
        """How many finished codings an answer needs before anyone sees its codes."""
        return 1 if self.design == self.Design.SINGLE else 2


class CodebookCategory(TranslatedMixin, models.Model):
    """A category of a codebook; its ``code`` is the option code stored in answers.

    A merged category keeps its row (``merged_into`` points to the category that absorbed it).
    """

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="categories",
                                 verbose_name=_("codebook"))
    code = models.IntegerField(_("code"))
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_ru = models.CharField(_("label (Russian)"), max_length=300)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    order = models.PositiveIntegerField(_("display order"), default=0)
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_from", verbose_name=_("merged into"))
    history = HistoricalRecords(table_name="surveys_historicalcodebookcategory")

    class Meta:
        ordering = ["codebook", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["codebook", "code"], name="codebook_category_code_unique")]
        db_table = "surveys_codebookcategory"  # the table of the model before the apps were split
        verbose_name = _("codebook category")
        verbose_name_plural = _("codebook categories")

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    @property
    def label(self) -> str:
        return self.translated("label")

    @property
    def description(self) -> str:
        return self.translated("description")

    @property
    def is_active(self) -> bool:
        return self.merged_into_id is None


class Coding(models.Model):
    """One coder's coding of one unit (the open answer of one response)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        FINISHED = "finished", _("Finished")

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codings", verbose_name=_("codebook"))
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="codings", verbose_name=_("response"))
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings",
                              verbose_name=_("coder"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["codebook", "response", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "response", "coder"], name="coding_unique"),
            models.CheckConstraint(condition=Q(status="in_progress") | Q(finished_at__isnull=False),
                                   name="finished_coding_has_finished_at"),
        ]
        db_table = "surveys_coding"  # the table of the model before the apps were split
        verbose_name = _("coding")
        verbose_name_plural = _("codings")

    def __str__(self) -> str:
        return f"{self.codebook} / {str(self.response.uuid)[:8]} / {self.coder}"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED


class AppliedCode(models.Model):
    """A category a coder applied, optionally with the span of text that supports it."""

    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="codes", verbose_name=_("coding"))
    category = models.ForeignKey(CodebookCategory, on_delete=models.PROTECT, related_name="applied",
                                 verbose_name=_("category"))
    start = models.PositiveIntegerField(_("span start"), null=True, blank=True)
    end = models.PositiveIntegerField(_("span end"), null=True, blank=True)
    quote = models.TextField(_("quoted text"), blank=True)

    class Meta:
        ordering = ["coding", "category__order"]
        constraints = [
            models.UniqueConstraint(fields=["coding", "category"], name="applied_code_unique"),
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True)) | Q(start__lt=models.F("end")),
                name="applied_code_span_valid",
            ),
        ]
        db_table = "surveys_appliedcode"  # the table of the model before the apps were split
        verbose_name = _("applied code")
        verbose_name_plural = _("applied codes")

    def __str__(self) -> str:
        return f"{self.coding_id}: {self.category.code}"


class CodingDecision(models.Model):
    """The final codes of one unit: a researcher's consensus (double coding), or the codes of its
    only coder when that coder finished (single coding)."""

    class Source(models.TextChoices):
        CONSENSUS = "consensus", _("Consensus")
        SINGLE = "single", _("Single coder")

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="decisions",
                                 verbose_name=_("codebook"))
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="coding_decisions",
                                 verbose_name=_("response"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.CONSENSUS)

    class Meta:
        ordering = ["codebook", "response"]
        constraints = [models.UniqueConstraint(fields=["codebook", "response"], name="coding_decision_unique")]
        db_table = "surveys_codingdecision"  # the table of the model before the apps were split
        verbose_name = _("coding decision")
        verbose_name_plural = _("coding decisions")

    def __str__(self) -> str:
        return f"{self.codebook} / {str(self.response.uuid)[:8]}"


class FinalCode(models.Model):
    decision = models.ForeignKey(CodingDecision, on_delete=models.CASCADE, related_name="codes",
                                 verbose_name=_("coding decision"))
    category = models.ForeignKey(CodebookCategory, on_delete=models.PROTECT, related_name="final",
                                 verbose_name=_("category"))

    class Meta:
        ordering = ["decision", "category__order"]
        constraints = [models.UniqueConstraint(fields=["decision", "category"], name="final_code_unique")]
        db_table = "surveys_finalcode"  # the table of the model before the apps were split
        verbose_name = _("final code")
        verbose_name_plural = _("final codes")

    def __str__(self) -> str:
        return f"{self.decision_id}: {self.category.code}"


class UnitView(models.Model):
    """Someone saw the codes of a unit's codings (its consensus page, or set its final codes): they
    can no longer code it blind."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="views", verbose_name=_("codebook"))
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+", verbose_name=_("response"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    seen_at = models.DateTimeField(_("seen at"), default=timezone.now)

    class Meta:
        ordering = ["codebook", "response", "seen_at"]
        constraints = [models.UniqueConstraint(fields=["codebook", "response", "user"], name="unit_view_unique")]
        verbose_name = _("seen codes")
        verbose_name_plural = _("seen codes")

    def __str__(self) -> str:
        return f"{self.codebook} / {str(self.response.uuid)[:8]} / {self.user}"


class UnitCorrection(models.Model):
    """The interviewer corrected an answer after its coding had started: the unit is "changed
    after coding" (its final codes are withdrawn) until a researcher re-confirms or re-codes it."""

    class Resolution(models.TextChoices):
        CONFIRMED = "confirmed", _("Final codes re-confirmed")
        RECODED = "recoded", _("Re-coded")

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="corrections",
                                 verbose_name=_("codebook"))
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="coding_corrections",
                                 verbose_name=_("response"))
    old_text = models.TextField(_("text before the correction"), blank=True)
    new_text = models.TextField(_("corrected text"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["codebook", "response", "changed_at", "pk"]
        verbose_name = _("correction after coding")
        verbose_name_plural = _("corrections after coding")

    def __str__(self) -> str:
        return f"{self.codebook} / {str(self.response.uuid)[:8]} / {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
