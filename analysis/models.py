"""Derived data kept by the analysis app (never a source of truth)."""
from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.models import Response


class ResponseLine(models.Model):
    """A completed response as one line of the wave's CSV export, so that exports stream stored
    lines instead of rebuilding every row. Written only by ``analysis.frames``.

    Database triggers (migration 0001) delete a response's line whenever the response or any of its
    answers is inserted, changed or deleted, whatever wrote it; ``layout`` records the columns the
    line was written for (the wave's slug and the instrument's variables), so a line written before
    a question was added is not used. A missing or outdated line is simply written again on the
    next export.
    """

    response = models.OneToOneField(Response, on_delete=models.CASCADE, primary_key=True, related_name="csv_line")
    layout = models.CharField(_("layout"), max_length=64)
    line = models.TextField(_("line"))

    class Meta:
        verbose_name = _("CSV line of a response")
        verbose_name_plural = _("CSV lines of responses")

    def __str__(self) -> str:
        return f"{self.response_id}: {self.line[:40]}"


class WaveChange(models.Model):
    """How many times the answers of a wave's completed responses, or those responses, have been
    changed in place: repaired, corrected by an interviewer, edited in the admin. Counted by database
    triggers (migration 0002), whatever wrote the change, and part of the version the analysis
    cache keys on (``analysis.frames.wave_version``). Submissions and deletions are seen there by
    the count and times of the completed responses; respondents' drafts are never counted."""

    # No foreign-key constraint in the database: deleting a wave (or flushing the tables) deletes
    # its answers, whose trigger may count once more after this row is gone; a counter left for a
    # deleted wave is harmless, as only its changes are read.
    wave = models.OneToOneField("surveys.Wave", on_delete=models.CASCADE, primary_key=True, related_name="+",
                                db_constraint=False)
    n = models.BigIntegerField(_("changes"), default=0)

    class Meta:
        verbose_name = _("changes of a wave's completed responses")
        verbose_name_plural = _("changes of waves' completed responses")

    def __str__(self) -> str:
        return f"{self.wave_id}: {self.n}"


class ExactTest(models.Model):
    """The p-value of Fisher's exact test of one table of counts, kept so that every server process
    and the worker share it, and it outlives a restart: it depends on the counts alone
    (``analysis.tables.fisher_cached``; the key is the SHA-256 of the table's shape and counts)."""

    key = models.CharField(_("table of counts"), max_length=64, primary_key=True)
    p_value = models.FloatField(_("p-value"))
    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("exact test")
        verbose_name_plural = _("exact tests")

    def __str__(self) -> str:
        return f"{self.key[:12]}: p = {self.p_value:.6g}"


class PreparedBundle(models.Model):
    """A wave's bundle.zip (without the free-text answers) for one version of its report and one
    language, kept so that the download is served without building it again: built ahead by the
    worker after a report page (``analysis.tasks.bundle_prepare``) or by the first download. One
    per wave and language, replaced when the report's version changes (``analysis.bundle``); like
    the other tables here, derived data: emptying it loses nothing."""

    wave = models.ForeignKey("surveys.Wave", on_delete=models.CASCADE, related_name="+")
    lang = models.CharField(_("language"), max_length=8)
    key = models.CharField(_("report version"), max_length=64)
    data = models.BinaryField(_("ZIP file"))
    built_at = models.DateTimeField(_("built at"), auto_now=True)

    class Meta:
        verbose_name = _("prepared bundle")
        verbose_name_plural = _("prepared bundles")
        constraints = [models.UniqueConstraint(fields=["wave", "lang"], name="analysis_bundle_one_per_language")]

    def __str__(self) -> str:
        return f"{self.wave_id} ({self.lang}): {len(self.data or b'')} bytes"
