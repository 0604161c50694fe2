from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from surveys import demo
from surveys.interviews.services import interviewer_assign
from surveys.models import Wave

DEMO_ACCOUNTS = [
    # username, password, is_superuser
    ("admin", "demo-admin-2026", True),
]
# username, password, role group: the interviewer, two coders and a researcher of the interview demo.
ROLE_ACCOUNTS = [
    ("interviewer", "demo-interviewer-2026", "Interviewers"),
    ("coder1", "demo-coder1-2026", "Coders"),
    ("coder2", "demo-coder2-2026", "Coders"),
    ("researcher", "demo-researcher-2026", "Researchers"),
]


class Command(BaseCommand):
    help = "Create the demo accounts and print their credentials (demo settings only)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("Demo accounts are only created with demo settings (DJANGO_DEMO=1); never in production.")
        User = get_user_model()
        for username, password, superuser in DEMO_ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            self.stdout.write(f"  {username:<12} password: {password}")
        for username, password, group in ROLE_ACCOUNTS:
            user, _created = User.objects.get_or_create(username=username)
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=group))
            self.stdout.write(f"  {username:<12} password: {password}  ({group})")
        for slug in (demo.CM_DEMO_WAVE, demo.CM_OPEN_WAVE):  # the demo interviewer records in both waves
            wave = Wave.objects.filter(slug=slug).first()
            if wave is not None:
                interviewer_assign(wave=wave, interviewer=User.objects.get(username="interviewer"))
