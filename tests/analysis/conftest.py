import pytest

from surveys.roles import CODERS, INTERVIEWERS, RESEARCHERS


@pytest.fixture
def researcher_client(client, make_user):
    client.force_login(make_user(RESEARCHERS, username="researcher"))
    return client


@pytest.fixture
def role_users(make_user):
    return {
        "interviewer": make_user(INTERVIEWERS, username="interviewer"),
        "coder": make_user(CODERS, username="coder"),
        "researcher": make_user(RESEARCHERS, username="researcher2"),
        "admin": make_user(username="boss", is_superuser=True, is_staff=True),
    }
