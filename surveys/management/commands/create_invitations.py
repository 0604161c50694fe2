import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from surveys import services
from surveys.links import write_invitation_links
from surveys.models import Wave


class Command(BaseCommand):
    help = ("Create invitations for a wave and write their links as CSV (the only time the links exist: "
            "only a hash of each token is stored).")

    def add_arguments(self, parser):
        parser.add_argument("wave", help="the wave's slug")
        parser.add_argument("--count", type=int, default=0, help="number of anonymous invitations")
        parser.add_argument("--labels", type=Path, help="a text file with one label or e-mail per line")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="site address for the links")
        parser.add_argument("--out", type=Path, help="CSV file to write (default: standard output)")

    def handle(self, *args, wave, count, labels, base_url, out, **options):
        try:
            wave_obj = Wave.objects.get(slug=wave)
        except Wave.DoesNotExist as exc:
            raise CommandError(f"No wave with the slug {wave!r}.") from exc
        lines = []
        if labels:
            try:
                lines = [l.strip() for l in labels.read_text(encoding="utf-8").splitlines() if l.strip()]
            except OSError as exc:
                raise CommandError(f"{labels}: {exc}") from exc
        try:
            issued = services.invitations_create(
                wave=wave_obj, count=count,
                labels=[l if "@" not in l else "" for l in lines], emails=[l if "@" in l else "" for l in lines])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        fh = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout
        try:
            write_invitation_links(fh, issued, base_url=base_url)
        finally:
            if out:
                fh.close()
        if out:
            self.stderr.write(f"{len(issued)} invitations for {wave_obj.slug} written to {out}")
