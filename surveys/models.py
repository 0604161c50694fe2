"""Instruments as data, waves in the field, invitations and responses.

An instrument is rows: sections, questions (with a stable ``code``), and scales
(choice lists whose options carry a numeric ``code`` and a label in every
language). A wave puts an instrument in the field. A response holds one
``Answer`` per question, whose ``value`` is JSON: an option code (int), a list
of option codes, a number, a string or an ISO date.
"""
from __future__ import annotations

import hashlib
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .logic import conditions_check


def hash_token(token: str) -> str:
    """Return the SHA-256 hex digest under which a token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TranslatedMixin:
    """Pick ``<field>_ru`` or ``<field>_en`` by the active language."""

    def translated(self, field: str) -> str:
        lang = (get_language() or "en")[:2]
        value = getattr(self, f"{field}_{lang}", "") if lang in {"en", "ru"} else ""
        return value or getattr(self, f"{field}_en", "")


def _number(value: float) -> str:
    """A bound as written: 3, not 3.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def versioned_error(instrument: "Instrument") -> ValidationError:
    """The refusal to edit an answered instrument in place (see docs/instruments.md)."""
    return ValidationError(
        _("This instrument (%(code)s, version %(version)d) cannot be changed: waves already hold answers to it, "
          "and its questions must stay as the respondents saw them. Create a new version (the action “Create a "
          "new version” on the list of instruments), edit that draft, and use it in the next wave."),
        code="instrument_answered", params={"code": instrument.code, "version": instrument.version},
    )


class StructureLockMixin:
    """Rows of an instrument's structure (sections, questions, scales, options, blocks).

    Once a wave holds answers to the instrument, a row cannot be added, deleted, moved to
    another instrument, or have a field of ``STRUCTURE_FIELDS`` changed: a new version of the
    instrument is made instead. Texts and labels may still be reworded.
    """

    STRUCTURE_FIELDS: tuple[str, ...] = ()

    def structure_instrument(self) -> "Instrument | None":
        raise NotImplementedError

    def structure_lock_check(self) -> None:
        instrument = self.structure_instrument()
        if instrument is None or not instrument.has_answers():
            return
        if not self.pk:
            raise versioned_error(instrument)
        old = type(self).objects.filter(pk=self.pk).values(*self.STRUCTURE_FIELDS).first()
        if old is None:
            raise versioned_error(instrument)
        if any(old[name] != getattr(self, name) for name in self.STRUCTURE_FIELDS):
            raise versioned_error(instrument)

    def delete_lock_check(self) -> None:
        """Refuse to delete the row of an answered instrument."""
        instrument = self.structure_instrument()
        if instrument is not None and instrument.has_answers():
            raise versioned_error(instrument)


class InstrumentManager(models.Manager):
    def get_by_natural_key(self, code: str, version: int = 1) -> "Instrument":
        return self.get(code=code, version=version)


class Instrument(TranslatedMixin, models.Model):
    """One version of an instrument. Versions of one instrument share its ``code``; a wave
    points to the version it puts in the field. A version with answers is never edited in
    place: ``surveys.services.instrument_version_create`` copies it into a new draft."""

    class Kind(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", _("Self-administered questionnaire")
        INTERVIEW = "interview", _("Interview guide")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft (being edited, not in the field)")
        PUBLISHED = "published", _("Published (new waves use it)")
        RETIRED = "retired", _("Retired (replaced by a newer version)")

    code = models.SlugField(_("code"), max_length=64,
                            help_text=_("Shared by every version of the instrument."))
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("previous version"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUESTIONNAIRE)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    # Changes whenever a row of this version's structure (section, question, scale, option, a wave's
    # option list) is saved or deleted: the key under which the structure is cached (surveys/signals.py,
    # selectors.wave_structure).
    structure_revision = models.UUIDField(_("structure revision"), default=uuid.uuid4, editable=False)

    objects = InstrumentManager()

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="instrument_code_version_unique"),
            models.CheckConstraint(condition=Q(version__gte=1), name="instrument_version_positive"),
        ]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        if self.version == 1:
            return self.translated("title")
        return _("%(title)s (version %(version)d)") % {"title": self.translated("title"), "version": self.version}

    def has_answers(self) -> bool:
        """True when a wave holds an answer to one of this version's questions."""
        if not self.pk:
            return False
        return Answer.objects.filter(question__instrument_id=self.pk).exists()

    def clean(self) -> None:
        if not self.pk:
            return
        old = Instrument.objects.filter(pk=self.pk).values("code", "kind", "version").first()
        if old and (old["code"], old["kind"], old["version"]) != (self.code, self.kind, self.version) \
                and self.has_answers():
            raise versioned_error(Instrument(code=old["code"], version=old["version"]))

    @property
    def title(self) -> str:
        return self.translated("title")

    @property
    def description(self) -> str:
        return self.translated("description")

    def natural_key(self):
        return (self.code, self.version)


class Scale(StructureLockMixin, TranslatedMixin, models.Model):
    """A list of options (a choice list); ``ordered`` for ordinal scales."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="scales",
                                   verbose_name=_("instrument"))
    code = models.SlugField(_("code"), max_length=64)
    ordered = models.BooleanField(_("ordered"), default=False)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    label_ru = models.CharField(_("label (Russian)"), max_length=200, blank=True)

    class Meta:
        ordering = ["instrument", "code"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="scale_code_unique")]
        verbose_name = _("scale")
        verbose_name_plural = _("scales")

    STRUCTURE_FIELDS = ("instrument_id", "code")

    def __str__(self) -> str:
        """Its label in the active language, with its code (what choice lists in the admin show)."""
        label = self.translated("label")
        return f"{label} ({self.code})" if label else self.code

    def structure_instrument(self):
        return self.instrument if self.instrument_id else None

    def clean(self) -> None:
        self.structure_lock_check()


class Option(StructureLockMixin, TranslatedMixin, models.Model):
    """One option of a scale: a stable numeric code and its labels.

    ``order`` is the display order (Very high first); ``code`` is what is
    stored and exported (Low = 1 ... Very high = 4).
    """

    scale = models.ForeignKey(Scale, on_delete=models.CASCADE, related_name="options", verbose_name=_("scale"))
    code = models.IntegerField(_("code"))
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_ru = models.CharField(_("label (Russian)"), max_length=300)
    order = models.PositiveIntegerField(_("display order"), default=0)
    missing = models.BooleanField(
        _("missing-value option"), default=False,
        help_text=_("A non-answer such as “Don't know”, “Unsure” or “Refused”: declared as a "
                    "user-missing value in the SPSS and Stata files and in the codebook."))
    specify = models.BooleanField(
        _("asks to specify"), default=False,
        help_text=_("“Other, please specify”: choosing this option shows a required text field, stored and "
                    "exported as the text question <code>__other (added when the instrument is loaded)."))
    name = models.CharField(
        _("XLSForm name"), max_length=100, blank=True,
        help_text=_("The choice's name in an XLSForm this option came from, kept for exports to XLSForm."))

    class Meta:
        ordering = ["scale", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["scale", "code"], name="option_code_unique")]
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    @property
    def label(self) -> str:
        return self.translated("label")

    # An option's code is governed by the code lock (below): an unused code may still change.
    STRUCTURE_FIELDS = ("scale_id", "specify")

    def structure_instrument(self):
        return self.scale.instrument if self.scale_id else None

    def clean(self) -> None:
        self.code_lock_check()
        self.structure_lock_check()

    def code_lock_check(self) -> None:
        """Refuse to change an option's numeric code once stored answers use it (the code lock)."""
        if not self.pk:
            return
        old_code = Option.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if old_code is None or old_code == self.code:
            return
        if self.code_in_use(old_code):
            raise ValidationError({"code": ValidationError(
                _("The code %(code)s cannot be changed: stored answers use it."), code="code_locked",
                params={"code": old_code},
            )})

    def code_in_use(self, code: int) -> bool:
        """True when an answer to a question of this option's scale holds ``code``."""
        question_ids = list(Question.objects.filter(scale_id=self.scale_id).values_list("pk", flat=True))
        if not question_ids:
            return False
        for value in Answer.objects.filter(question_id__in=question_ids).values_list("value", flat=True).iterator():
            if value == code or (isinstance(value, list) and code in value):
                return True
        return False


class Section(StructureLockMixin, TranslatedMixin, models.Model):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="sections",
                                   verbose_name=_("instrument"))
    code = models.SlugField(_("code"), max_length=64)
    order = models.PositiveIntegerField(_("order"), default=0)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    intro_ru = models.TextField(_("introduction (Russian)"), blank=True)
    condition = models.JSONField(
        _("display condition"), null=True, blank=True,
        help_text=_("Shown only when this holds on earlier answers, e.g. {\"q\": \"cluster_member\", \"op\": "
                    "\"eq\", \"value\": 1} (docs/instruments.md, “Questionnaire logic”)."))
    grid = models.BooleanField(
        _("items as a grid"), default=False,
        help_text=_("Show consecutive questions on one scale as one grid (a table on wide screens, stacked on "
                    "phones)."))

    class Meta:
        ordering = ["instrument", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="section_code_unique")]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    STRUCTURE_FIELDS = ("instrument_id", "code", "order", "condition")

    def __str__(self) -> str:
        return self.translated("title")

    def structure_instrument(self):
        return self.instrument if self.instrument_id else None

    def clean(self) -> None:
        self.structure_lock_check()
        if self.instrument_id:
            instrument_conditions_check(self.instrument_id, section=self)

    @property
    def title(self) -> str:
        return self.translated("title")

    @property
    def intro(self) -> str:
        return self.translated("intro")



class Question(StructureLockMixin, TranslatedMixin, models.Model):
    class Type(models.TextChoices):
        SCALE = "scale", _("Single choice on an ordered scale")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        YES_NO = "yes_no", _("Yes/no")

    class Role(models.TextChoices):
        """What the analysis does with a question: instrument data, so that no analysis code names
        a question. A question without a role still gets every table its type allows."""

        NONE = "", _("No particular role")
        OUTCOME = "outcome", _("Outcome of the ordinal regression")
        PROFILE = "profile", _("Profile question (splits tables, cross-tabulations)")
        COVARIATE = "covariate", _("Profile question and covariate of the default model")
        FIGURE = "figure", _("Choice question shown as a figure")
        COMBINATIONS = "combinations", _("Multiple choice shown as a figure of the combinations given")

    CHOICE_TYPES = {Type.SCALE, Type.SINGLE, Type.MULTIPLE}

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="questions",
                                   verbose_name=_("instrument"))
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section"))
    code = models.SlugField(_("code"), max_length=64, help_text=_("The variable name in every export."))
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    text_en = models.TextField(_("text (English)"))
    text_ru = models.TextField(_("text (Russian)"))
    label_en = models.CharField(_("short label (English)"), max_length=120, blank=True,
                                help_text=_("Shown in tables and figures; the full text is the variable label."))
    label_ru = models.CharField(_("short label (Russian)"), max_length=120, blank=True)
    help_en = models.TextField(_("help text (English)"), blank=True)
    help_ru = models.TextField(_("help text (Russian)"), blank=True)
    scale = models.ForeignKey(
        Scale, on_delete=models.PROTECT, null=True, blank=True, related_name="questions",
        help_text=_("Options for choice questions."), verbose_name=_("scale"),
    )
    group = models.SlugField(
        _("group"), max_length=64, blank=True,
        help_text=_("Block of items analysed together (for example a reliability block)."),
    )
    role = models.CharField(
        _("role in the analysis"), max_length=12, choices=Role.choices, default=Role.NONE, blank=True,
        help_text=_("The outcome, the profile questions and the coded figure of the wave's report."),
    )
    figure = models.PositiveSmallIntegerField(
        _("figure number"), null=True, blank=True,
        help_text=_("The number of its figure in the report (as in the publication); figures without one are "
                    "numbered in order."))
    min_value = models.FloatField(
        _("minimum"), null=True, blank=True,
        help_text=_("A number question: the smallest number accepted. A multiple-choice question: the fewest "
                    "options a respondent must choose."))
    max_value = models.FloatField(
        _("maximum"), null=True, blank=True,
        help_text=_("A number question: the largest number accepted. A multiple-choice question: the most options "
                    "a respondent may choose (for example 3 for “choose at most three”)."))
    max_length = models.PositiveIntegerField(_("maximum length"), null=True, blank=True)
    condition = models.JSONField(
        _("display condition"), null=True, blank=True,
        help_text=_("Shown only when this holds on earlier answers, e.g. {\"q\": \"cluster_member\", \"op\": "
                    "\"eq\", \"value\": 1} (docs/instruments.md, “Questionnaire logic”)."))
    specify_for = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="specify_questions",
        verbose_name=_("specifies the answer to"),
        help_text=_("The text question of an “Other, please specify” option of this choice question."))

    class Meta:
        ordering = ["instrument", "section__order", "order"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="question_code_unique")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    # What a respondent is asked and how the answer is stored; the code has its own lock.
    STRUCTURE_FIELDS = ("instrument_id", "section_id", "type", "required", "scale_id", "min_value", "max_value",
                        "max_length", "condition", "specify_for_id")

    def __str__(self) -> str:
        return self.code

    def structure_instrument(self):
        return self.instrument if self.instrument_id else None

    @property
    def text(self) -> str:
        return self.translated("text")

    @property
    def help(self) -> str:
        return self.translated("help")

    @property
    def label(self) -> str:
        """The short label in the active language (the text where none is given)."""
        return self.translated("label") or self.text

    def clean(self) -> None:
        self.references_check()
        self.bounds_check()
        self.code_lock_check()
        self.structure_lock_check()
        if self.instrument_id and self.section_id:
            try:
                instrument_conditions_check(self.instrument_id, question=self)
            except ValidationError as exc:
                raise ValidationError({"condition": exc.messages}) from exc

    def references_check(self) -> None:
        """The section, the scale and the block (``group``) must be the question's instrument's own."""
        errors: dict[str, ValidationError] = {}
        if self.type in self.CHOICE_TYPES and self.scale_id is None:
            errors["scale"] = ValidationError(_("A choice question needs a scale."), code="scale_required")
        if self.instrument_id and self.section_id and self.section.instrument_id != self.instrument_id:
            errors["section"] = ValidationError(
                _("The section “%(section)s” belongs to another instrument (%(other)s); choose a section of "
                  "%(instrument)s."), code="section_instrument",
                params={"section": self.section.code, "other": self.section.instrument,
                        "instrument": self.instrument})
        if self.scale_id and self.instrument_id and self.scale.instrument_id != self.instrument_id:
            errors["scale"] = ValidationError(
                _("The scale “%(scale)s” belongs to another instrument (%(other)s); choose a scale of "
                  "%(instrument)s."), code="scale_instrument",
                params={"scale": self.scale.code, "other": self.scale.instrument, "instrument": self.instrument})
        if self.group and self.instrument_id:
            blocks = set(Block.objects.filter(instrument_id=self.instrument_id).values_list("code", flat=True))
            if blocks and self.group not in blocks:
                errors["group"] = ValidationError(
                    _("The block “%(group)s” is not a block of %(instrument)s (its blocks: %(blocks)s)."),
                    code="group_instrument",
                    params={"group": self.group, "instrument": self.instrument, "blocks": ", ".join(sorted(blocks))})
        if errors:
            raise ValidationError(errors)

    BOUNDED_TYPES = (Type.NUMBER, Type.MULTIPLE)

    @property
    def min_choices(self) -> int | None:
        """The fewest options a multiple-choice answer must hold (None: no lower bound)."""
        return int(self.min_value) if self.type == self.Type.MULTIPLE and self.min_value is not None else None

    @property
    def max_choices(self) -> int | None:
        """The most options a multiple-choice answer may hold (None: no upper bound)."""
        return int(self.max_value) if self.type == self.Type.MULTIPLE and self.max_value is not None else None

    def bounds_check(self) -> None:
        """Bounds belong to number questions (the numbers accepted) and multiple-choice questions (how many
        options may be chosen: whole numbers, at least 0 and 1); the minimum is not above the maximum."""
        errors: dict[str, ValidationError] = {}
        bounds = {"min_value": self.min_value, "max_value": self.max_value}
        if self.type not in self.BOUNDED_TYPES:
            for name, value in bounds.items():
                if value is not None:
                    errors[name] = ValidationError(
                        _("Only number and multiple-choice questions take a minimum or maximum."), code="bounds_type")
        elif self.type == self.Type.MULTIPLE:
            for name, least in (("min_value", 0), ("max_value", 1)):
                value = bounds[name]
                if value is not None and (not float(value).is_integer() or value < least):
                    errors[name] = ValidationError(
                        _("The number of options chosen: a whole number of at least %(least)d."),
                        code="bounds_choices", params={"least": least})
        if not errors and None not in bounds.values() and self.min_value > self.max_value:
            errors["max_value"] = ValidationError(
                _("The maximum (%(max)s) is below the minimum (%(min)s)."), code="bounds_order",
                params={"max": _number(self.max_value), "min": _number(self.min_value)})
        if errors:
            raise ValidationError(errors)

    def code_lock_check(self) -> None:
        """Refuse to change the code once a wave has answers to the question (the code lock)."""
        if not self.pk:
            return
        old_code = Question.objects.filter(pk=self.pk).values_list("code", flat=True).first()
        if old_code is not None and old_code != self.code and Answer.objects.filter(question_id=self.pk).exists():
            raise ValidationError({"code": ValidationError(
                _("The code “%(code)s” cannot be changed: waves already hold answers to this question, "
                  "and exports and analyses use the code as the variable name."),
                code="code_locked", params={"code": old_code},
            )})


class Block(StructureLockMixin, TranslatedMixin, models.Model):
    """The label of a block of items (the questions whose ``group`` is this block's code)."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="blocks",
                                   verbose_name=_("instrument"))
    code = models.SlugField(_("code"), max_length=64)
    order = models.PositiveIntegerField(_("order"), default=0)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_ru = models.CharField(_("label (Russian)"), max_length=200)

    class Meta:
        ordering = ["instrument", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["instrument", "code"], name="block_code_unique")]
        verbose_name = _("block of items")
        verbose_name_plural = _("blocks of items")

    STRUCTURE_FIELDS = ("instrument_id", "code")

    def __str__(self) -> str:
        return self.translated("label")

    def structure_instrument(self):
        return self.instrument if self.instrument_id else None

    def clean(self) -> None:
        self.structure_lock_check()


class Wave(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Access(models.TextChoices):
        OPEN_LINK = "open_link", _("Open link")
        INVITATION = "invitation", _("Invitation only")

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="waves",
                                   verbose_name=_("instrument"))
    title = models.CharField(_("title (English)"), max_length=200,
                             help_text=_("Also shown in Russian where the Russian title is left empty."))
    title_ru = models.CharField(_("title (Russian)"), max_length=200, blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True,
                                help_text=_("Shown on the first page, before “Start”."))
    intro_ru = models.TextField(_("introduction (Russian)"), blank=True)
    privacy_en = models.TextField(_("consent and privacy (English)"), blank=True,
                                  help_text=_("What is collected, why, who sees it, how long it is kept."))
    privacy_ru = models.TextField(_("consent and privacy (Russian)"), blank=True)
    contact_en = models.CharField(_("researchers' contact (English)"), max_length=300, blank=True,
                                  help_text=_("Shown on the first page and when the survey is closed, e.g. "
                                              "“Dr A. Ivanova, survey@example.org”."))
    contact_ru = models.CharField(_("researchers' contact (Russian)"), max_length=300, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    access = models.CharField(_("access"), max_length=12, choices=Access.choices, default=Access.OPEN_LINK)
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        # The permissions behind the roles (see surveys/roles.py).
        permissions = [
            ("conduct_interviews", _("Can record interviews")),
            ("code_answers", _("Can code open answers")),
            ("manage_codebooks", _("Can edit codebooks and set final codes")),
            ("analyse_waves", _("Can view analyses and download data")),
        ]

    def __str__(self) -> str:
        """Its title in the active language (the English one where no Russian is given)."""
        return self.local_title

    def local(self, field: str, lang: str | None = None) -> str:
        """``<field>_ru`` in Russian (``lang``, or the active language) when it is given, else the
        English (``title`` for the title)."""
        russian = (lang or get_language() or "en")[:2] == "ru"
        english = self.title if field == "title" else getattr(self, f"{field}_en")
        return (getattr(self, f"{field}_ru") or english) if russian else english

    @property
    def local_title(self) -> str:
        return self.local("title")

    @property
    def intro(self) -> str:
        return self.local("intro")

    @property
    def privacy(self) -> str:
        return self.local("privacy")

    @property
    def contact(self) -> str:
        return self.local("contact")

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A wave must close after it opens.")}, code="dates_order")
        if self.instrument_id and self.instrument.status == Instrument.Status.RETIRED:
            old = Wave.objects.filter(pk=self.pk).values_list("instrument_id", flat=True).first() if self.pk else None
            if old != self.instrument_id:
                raise ValidationError({"instrument": ValidationError(
                    _("Version %(version)d of this instrument is retired; choose its latest version."),
                    code="instrument_retired", params={"version": self.instrument.version})})

    def is_accepting(self, now=None) -> bool:
        """True when respondents may answer now: open, and within its dates."""
        now = now or timezone.now()
        if self.status != self.Status.OPEN:
            return False
        if self.opens_at and now < self.opens_at:
            return False
        if self.closes_at and now >= self.closes_at:
            return False
        return True


class WaveOptionSet(models.Model):
    """Restrict the options a question offers in one wave (e.g. the regions).

    Option codes stay those of the scale, so exports of different waves agree.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="option_sets", verbose_name=_("wave"))
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", verbose_name=_("question"))
    options = models.ManyToManyField(Option, related_name="+", verbose_name=_("options"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "question"], name="wave_option_set_unique")]
        verbose_name = _("option list for a wave")
        verbose_name_plural = _("option lists for a wave")

    def __str__(self) -> str:
        return f"{self.wave.slug}: {self.question.code}"

    def clean(self) -> None:
        if self.wave_id and self.question_id and self.question.instrument_id != self.wave.instrument_id:
            raise ValidationError({"question": ValidationError(
                _("The question “%(question)s” belongs to another instrument (%(other)s); this wave uses "
                  "%(instrument)s."), code="question_instrument",
                params={"question": self.question.code, "other": self.question.instrument,
                        "instrument": self.wave.instrument})})

    def options_check(self, options) -> None:
        """The options offered must be options of the question's scale (checked before they are set)."""
        if not self.question_id:
            return
        foreign = [o for o in options if o.scale_id != self.question.scale_id]
        if foreign:
            raise ValidationError({"options": ValidationError(
                _("These options are not options of the question “%(question)s”: %(options)s."),
                code="option_scale", params={"question": self.question.code,
                                             "options": ", ".join(f"{o.scale.code}:{o.code}" for o in foreign)})})


class Invitation(models.Model):
    """A single-use link. Only the SHA-256 of its token is stored."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("wave"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(_("label"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["wave", "created_at", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return self.label or self.email or f"#{self.pk}"


class Response(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")

    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="responses", verbose_name=_("wave"))
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, verbose_name=_("identifier"))
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response",
        verbose_name=_("invitation"),
    )
    resume_token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    language = models.CharField(_("language"), max_length=8, blank=True)
    current_step = models.PositiveIntegerField(default=0, verbose_name=_("current page"))
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["wave", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="completed_response_has_submitted_at",
            )
        ]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self) -> str:
        return f"{self.wave.slug} / {str(self.uuid)[:8]}"

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question"))
    value = models.JSONField(_("value"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_unique")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"{self.question.code}={self.value!r}"


class QuestionAddition(models.Model):
    """The record of a question added to a running wave (``services.wave_question_add``).

    The responses started before ``added_at`` were not asked the question: where they have no
    answer to it, the answer is missing because it was not asked, not because it was skipped.
    """

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="question_additions", verbose_name=_("wave"))
    question = models.OneToOneField(Question, on_delete=models.CASCADE, related_name="addition",
                                    verbose_name=_("question"))
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("added by"))
    responses_before = models.PositiveIntegerField(_("responses already started"), default=0)
    completed_before = models.PositiveIntegerField(_("responses already completed"), default=0)

    class Meta:
        ordering = ["wave", "added_at"]
        verbose_name = _("question added to a running wave")
        verbose_name_plural = _("questions added to running waves")

    def __str__(self) -> str:
        return f"{self.wave.slug}: {self.question.code}"

    def not_asked(self):
        """The responses (of any wave of the instrument) started before the question existed and
        without an answer to it."""
        return Response.objects.filter(wave__instrument_id=self.question.instrument_id,
                                       started_at__lt=self.added_at).exclude(answers__question_id=self.question_id)


def instrument_conditions_check(instrument_id: int, *, question=None, section=None) -> None:
    """``conditions_check`` on an instrument as stored, with ``question`` or ``section`` (being
    saved, perhaps moved or new) in place of its stored row."""
    sections = {s.pk: s for s in Section.objects.filter(instrument_id=instrument_id)}
    if section is not None:
        sections[section.pk or 0] = section
    questions = [q for q in Question.objects.filter(instrument_id=instrument_id) if question is None or q.pk != question.pk]
    if question is not None:
        questions.append(question)
    by_section: dict[Any, list] = {key: [] for key in sections}
    for q in questions:
        by_section.setdefault(q.section_id, []).append(q)
    ordered = sorted(sections.items(), key=lambda kv: (kv[1].order, kv[0]))
    conditions_check([
        (s.title, s.condition, [(q.code, q.type, q.condition)
                                for q in sorted(by_section.get(key, []), key=lambda q: (q.order, q.pk or 0))])
        for key, s in ordered
    ])
