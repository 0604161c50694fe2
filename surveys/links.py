"""Invitation links as CSV: written once, when the invitations are created."""
from __future__ import annotations

import csv
from typing import IO, Iterable

from django.urls import reverse

from .services import IssuedInvitation


def invitation_link(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + reverse("surveys:invitation", kwargs={"token": token})


def write_invitation_links(fh: IO[str], issued: Iterable[IssuedInvitation], *, base_url: str) -> None:
    writer = csv.writer(fh)
    writer.writerow(["invitation_id", "label", "email", "link"])
    for item in issued:
        writer.writerow([item.invitation.pk, item.invitation.label, item.invitation.email,
                         invitation_link(base_url, item.token)])
