import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from surveys.models import Wave


@pytest.fixture
def demo_wave(instruments) -> Wave:
    call_command("make_demo_data", verbosity=0)
    return Wave.objects.get(slug="social-capital-demo")


def _user(name, group=None, **extra):
    user = User.objects.create_user(name, password="pw", **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def researcher_client(client, db):
    client.force_login(_user("researcher", "Researchers"))
    return client


@pytest.fixture
def users(db):
    return {
        "interviewer": _user("interviewer", "Interviewers"),
        "coder": _user("coder", "Coders"),
        "researcher": _user("researcher2", "Researchers"),
        "admin": _user("boss", is_superuser=True, is_staff=True),
    }
