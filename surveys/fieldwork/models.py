"""Fieldwork: e-mail texts, mailings, one message row per e-mail, per-invitation contact state, and
the background jobs (report bundles, ``analyze``) of a wave.

Nothing here is a column on :class:`surveys.models.Invitation`: each row points at it (or at its
wave). A message's ``status`` is the state machine that keeps an e-mail from going out twice:
only a ``queued`` message is ever claimed (``sending``) and only by one conditional UPDATE; a
message left ``sending`` by a worker that died becomes ``interrupted`` and is never re-sent
unless an admin says so (docs/deployment.md).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models import Invitation, Wave


class Kind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    REMINDER = "reminder", _("Reminder")


class Language(models.TextChoices):
    EN = "en", _("English")
    RU = "ru", _("Russian")
    BOTH = "both", _("Russian and English in one message")


class MessageTemplate(models.Model):
    """The texts of a wave's invitation or reminder, in English and Russian (the defaults otherwise)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="message_templates", verbose_name=_("wave"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject_en = models.CharField(_("subject (English)"), max_length=200)
    body_en = models.TextField(_("text (English)"))
    subject_ru = models.CharField(_("subject (Russian)"), max_length=200)
    body_ru = models.TextField(_("text (Russian)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wave", "kind"], name="fieldwork_template_unique")]
        verbose_name = _("e-mail text")
        verbose_name_plural = _("e-mail texts")

    def __str__(self) -> str:
        return f"{self.wave.slug}: {self.get_kind_display()}"


class Contact(models.Model):
    """What fieldwork knows about one invitation: the salt its e-mailed link is derived from, and
    whether the invitee opted out. The link itself is never stored (docs/security.md)."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="fieldwork_contact",
                                      verbose_name=_("invitation"))
    link_salt = models.CharField(max_length=32, editable=False)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return str(self.invitation)


class Mailing(models.Model):
    """One sending of a wave's invitation or reminder to a set of invitations, done by a task."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="mailings", verbose_name=_("wave"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=4, choices=Language.choices, default=Language.BOTH)
    base_url = models.CharField(_("site address"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("mailing")
        verbose_name_plural = _("mailings")

    def __str__(self) -> str:
        return f"{self.wave.slug}: {self.get_kind_display()} #{self.pk}"


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        INTERRUPTED = "interrupted", _("Interrupted (may or may not have been delivered)")
        SKIPPED = "skipped", _("Not sent (completed or opted out meanwhile)")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="messages", verbose_name=_("mailing"))
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="fieldwork_messages",
                                   verbose_name=_("invitation"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    claimed_by = models.CharField(_("worker"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["mailing", "pk"]
        indexes = [models.Index(fields=["mailing", "status"]), models.Index(fields=["status", "claimed_at"])]
        constraints = [
            models.UniqueConstraint(fields=["mailing", "invitation"], name="fieldwork_message_once_per_mailing"),
            # An invitation is e-mailed its invitation once; a failure is retried on the same row.
            models.UniqueConstraint(fields=["invitation"], condition=Q(kind="invitation"),
                                    name="fieldwork_one_invitation_message"),
        ]
        verbose_name = _("e-mail message")
        verbose_name_plural = _("e-mail messages")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.invitation}"


class Job(models.Model):
    """A report bundle (ZIP) or an ``analyze`` run of a wave, done by the worker."""

    class JobKind(models.TextChoices):
        BUNDLE = "bundle", _("Report bundle (ZIP)")
        ANALYZE = "analyze", _("analyze: every table and figure into a folder on the server")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="fieldwork_jobs", verbose_name=_("wave"))
    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    lang = models.CharField(_("language"), max_length=2, default="en")
    free_text = models.BooleanField(_("with free-text answers"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(_("error"), blank=True)
    output = models.CharField(_("output"), max_length=500, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")

    def __str__(self) -> str:
        return f"{self.wave.slug}: {self.get_kind_display()} #{self.pk}"
