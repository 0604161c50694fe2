"""Users for the researcher's pages (usernames apart from the demo accounts' ones)."""
import pytest

from surveys.roles import CODERS, INTERVIEWERS, RESEARCHERS


@pytest.fixture
def researcher_client(client, make_user):
    client.force_login(make_user(RESEARCHERS))
    return client


@pytest.fixture
def role_users(make_user):
    return {
        "interviewer": make_user(INTERVIEWERS),
        "coder": make_user(CODERS),
        "researcher": make_user(RESEARCHERS),
        "admin": make_user(username="boss", is_superuser=True, is_staff=True),
    }
