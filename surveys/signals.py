"""Cache invalidation and notice of new data.

Any save or delete of a row of an instrument's structure gives the instrument a new
``structure_revision``, so the structure cached under the old one (``selectors.wave_structure``) is
never read again. One UPDATE in the writer's transaction, so the new revision and the new rows
become visible together. Writes that bypass signals (``QuerySet.update``, ``bulk_create``) call
:func:`structure_changed` themselves (``services.instrument_version_create``).

:data:`responses_completed` tells the apps that read the surveys (``analysis``: the exact tests the
worker computes ahead) that a wave has new or corrected completed responses; the writers of them
send it (:func:`responses_completed_notify`) once their transaction has committed.
"""
from __future__ import annotations

import uuid

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from .models import Instrument, Option, Question, Scale, Section, Wave, WaveOptionSet

# Sent with ``wave_id`` and ``batch``: completed responses of that wave were stored or changed, one
# by one (submitted by a respondent, completed or corrected by an interviewer: more may follow soon)
# or, ``batch``, all that the writer had at once (imported, loaded as demo data).
responses_completed = Signal()


def responses_completed_notify(wave_id: int, *, batch: bool = False) -> None:
    """Send :data:`responses_completed` for the wave once the current transaction has committed (at
    once outside one; never when it is rolled back). A receiver's error is logged (``send_robust``)
    and never reaches the writer: the responses are stored whatever a receiver does."""
    transaction.on_commit(lambda: responses_completed.send_robust(sender=Wave, wave_id=wave_id, batch=batch))


def structure_changed(*, instrument_id: int | None = None, scale_id: int | None = None,
                      wave_id: int | None = None) -> uuid.UUID | None:
    """Give the instrument (named directly, or by one of its scales or waves) a new structure
    revision, and return it."""
    if instrument_id is not None:
        rows = Instrument.objects.filter(pk=instrument_id)
    elif scale_id is not None:
        rows = Instrument.objects.filter(scales=scale_id)
    elif wave_id is not None:
        rows = Instrument.objects.filter(waves=wave_id)
    else:
        return None
    revision = uuid.uuid4()
    rows.update(structure_revision=revision)
    return revision


def _instrument_loaded(row, field: str) -> Instrument | None:
    """The instrument object ``row`` already holds through ``field`` (none is loaded for it)."""
    descriptor = getattr(type(row), field)
    return getattr(row, field) if descriptor.is_cached(row) else None


def _by_instrument(sender, instance, **kwargs) -> None:
    if instance.instrument_id is not None:
        revision = structure_changed(instrument_id=instance.instrument_id)
        loaded = _instrument_loaded(instance, "instrument")
        if loaded is not None:  # the caller's object (a wave's instrument, say) knows it too
            loaded.structure_revision = revision


def _through(parent: str):
    """A receiver for a row that belongs to its instrument through ``parent`` (an option's scale,
    a wave option list's wave)."""
    def receiver(sender, instance, **kwargs) -> None:
        parent_id = getattr(instance, f"{parent}_id")
        if parent_id is not None:
            revision = structure_changed(**{f"{parent}_id": parent_id})
            held = _instrument_loaded(instance, parent)
            loaded = _instrument_loaded(held, "instrument") if held is not None else None
            if loaded is not None:
                loaded.structure_revision = revision
    return receiver


_by_scale = _through("scale")
_by_wave = _through("wave")


def _options_changed(sender, instance, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, WaveOptionSet):
        _by_wave(sender, instance)


def connect() -> None:
    for model in (Section, Question, Scale):
        post_save.connect(_by_instrument, sender=model, dispatch_uid=f"structure-{model.__name__}-save")
        post_delete.connect(_by_instrument, sender=model, dispatch_uid=f"structure-{model.__name__}-delete")
    post_save.connect(_by_scale, sender=Option, dispatch_uid="structure-Option-save")
    post_delete.connect(_by_scale, sender=Option, dispatch_uid="structure-Option-delete")
    post_save.connect(_by_wave, sender=WaveOptionSet, dispatch_uid="structure-WaveOptionSet-save")
    post_delete.connect(_by_wave, sender=WaveOptionSet, dispatch_uid="structure-WaveOptionSet-delete")
    m2m_changed.connect(_options_changed, sender=WaveOptionSet.options.through,
                        dispatch_uid="structure-WaveOptionSet-options")
