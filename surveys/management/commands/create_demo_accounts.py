from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ACCOUNTS = [
    # username, password, is_superuser
    ("admin", "demo-admin-2026", True),
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
