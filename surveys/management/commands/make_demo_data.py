from django.core.management import call_command
from django.core.management.base import BaseCommand

from surveys import demo


class Command(BaseCommand):
    help = ("Create the demo waves: the closed wave social-capital-demo with 100 synthetic responses "
            "(Table 1's distributions) and the open wave social-capital-2026; the closed interview wave "
            "cluster-managers-demo (50 synthetic interviews, double-coded) and the open interview wave "
            "cluster-managers-2026; the closed wave cluster-organisations-demo (17 synthetic questionnaires of "
            "specialist cluster organisations, Figures 4, 5 and 7). Idempotent.")

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=demo.SEED, help="random seed (default: %(default)s)")

    def handle(self, *args, seed, **options):
        call_command("load_instruments", verbosity=0)
        wave, created = demo.create_social_capital_demo(seed=seed)
        self.stdout.write(f"{wave.slug}: {created} responses created ({wave.responses.count()} in all)")
        wave, created = demo.create_open_wave()
        self.stdout.write(f"{wave.slug}: {'created' if created else 'already there'} ({wave.get_status_display()})")
        wave, created = demo.create_cluster_managers_demo()
        self.stdout.write(f"{wave.slug}: {created} interviews created ({wave.responses.count()} in all)")
        wave, created = demo.create_cluster_managers_open_wave()
        self.stdout.write(f"{wave.slug}: {'created' if created else 'already there'} ({wave.get_status_display()})")
        wave, created = demo.create_cluster_organisations_demo()
        self.stdout.write(f"{wave.slug}: {created} responses created ({wave.responses.count()} in all)")
