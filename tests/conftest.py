"""Shared fixtures: the instruments as loaded from fixtures/, waves, users in a role, the demo data
(built once per session), and the interview wave with its interviewers, codebook and interviews."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Callable

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from surveys import demo
from surveys.coding import services as coding_services
from surveys.interviews import services as interview_services
from surveys.interviews.models import Interview
from surveys.models import Instrument, Question, Wave
from surveys.roles import ADMINS, CODERS, INTERVIEWERS, RESEARCHERS

from .helpers import INTERVIEW_ANSWERS

DEMO_FIXTURE = "demo_data"


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    return bool(by_marker or {"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that read the demo data run together, after the other database tests and before
    the transactional ones (which commit and flush), in their collected order otherwise."""
    demo = [item for item in items if DEMO_FIXTURE in item.fixturenames]
    others = [item for item in items if DEMO_FIXTURE not in item.fixturenames]
    first_transactional = next((k for k, item in enumerate(others) if _transactional(item)), len(others))
    items[:] = others[:first_transactional] + demo + others[first_transactional:]


class _DemoTransaction:
    """The transaction that holds the session's demo data; rolled back after its last test."""

    atomic = None
    blocker = None

    def open(self, blocker) -> None:
        self.blocker = blocker
        with blocker.unblock():
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            call_command("make_demo_data", verbosity=0)

    def close(self) -> None:
        if self.atomic is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)
        self.atomic = None


_DEMO = _DemoTransaction()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    yield
    if nextitem is None or DEMO_FIXTURE not in nextitem.fixturenames:
        _DEMO.close()  # before the transactional tests, which need a connection outside any transaction


_ROLE_GROUPS: dict[str, list[tuple[str, str]]] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test databases, and a note of the role groups and their permissions as the migrations
    made them, taken before any test runs (``role_groups``)."""
    with django_db_blocker.unblock():
        _ROLE_GROUPS.update({g.name: list(g.permissions.values_list("content_type__app_label", "codename"))
                             for g in Group.objects.prefetch_related("permissions")})


@pytest.fixture
def role_groups(django_db_setup) -> dict[str, list[tuple[str, str]]]:
    """The migrations' role groups with their permissions (as natural keys), for tests that must put
    them back after an earlier transactional test's flush emptied the tables."""
    return _ROLE_GROUPS


@pytest.fixture(scope="session")
def demo_data(django_db_setup, django_db_blocker) -> None:
    """Every demo wave (``make_demo_data``), built once per test session.

    The data live in a transaction opened here and rolled back after the last test that uses them;
    each test runs in a savepoint inside it (pytest-django's ``db``), so a test that writes leaves
    nothing behind for the next. These tests run one after another (``pytest_collection_modifyitems``);
    none of them may be transactional.
    """
    _DEMO.open(django_db_blocker)
    yield
    _DEMO.close()


@pytest.fixture
def demo_wave(demo_data, db) -> Wave:
    """The closed questionnaire demo wave (100 completed responses)."""
    assert _DEMO.atomic is not None, "the demo data were rolled back: run the tests that use them together"
    return Wave.objects.get(slug=demo.DEMO_WAVE)


@pytest.fixture
def interview_demo_wave(demo_data, db) -> Wave:
    """The closed interview demo wave (50 double-coded interviews)."""
    assert _DEMO.atomic is not None, "the demo data were rolled back: run the tests that use them together"
    return Wave.objects.get(slug=demo.CM_DEMO_WAVE)


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """``make_user(role=None, **extra)``: a user (password "pw") in the group of ``role``
    (``surveys.roles.INTERVIEWERS`` ...); ``username`` defaults to a fresh one."""
    numbers = itertools.count(1)

    def make(role: str | None = None, *, username: str | None = None, **extra) -> User:
        username = username or f"{(role or 'user').lower()}-{next(numbers)}"
        user = User.objects.create_user(username, password="pw", **extra)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def instruments(db):
    call_command("load_instruments", verbosity=0)
    return {i.code: i for i in Instrument.objects.all()}


@pytest.fixture
def social_capital(instruments) -> Instrument:
    return instruments["social-capital"]


@pytest.fixture
def open_wave(social_capital) -> Wave:
    return Wave.objects.create(
        instrument=social_capital, title="Open wave", slug="open-wave", status=Wave.Status.OPEN,
        access=Wave.Access.OPEN_LINK, opens_at=timezone.now() - dt.timedelta(days=1),
    )


@pytest.fixture
def invitation_wave(social_capital) -> Wave:
    return Wave.objects.create(
        instrument=social_capital, title="Invited wave", slug="invited-wave", status=Wave.Status.OPEN,
        access=Wave.Access.INVITATION,
    )


# A complete, valid set of answers to the social-capital questionnaire, by section.
SOCIAL_CAPITAL_ANSWERS = {
    1: {"region": "2", "sector": "1", "size": "3", "ownership": "1", "position": "1", "cluster_member": "2"},
    2: {"sc1_contacts": "4", "sc2_bonds": "3", "sc3_risk_knowledge": "2", "sc4_culture": "1",
        "sc5_cooperation": "4", "sc6_network_benefit": "3", "sc7_trust": "4", "sc8_knowledge_interest": "3"},
    3: {"readiness": "3", "barriers": ["1", "6"], "comment": "Нам нужна поддержка региона."},
}


@pytest.fixture
def answers():
    return {k: dict(v) for k, v in SOCIAL_CAPITAL_ANSWERS.items()}


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts with empty caches (rate-limit counters and structures live in one, content types
    in another, built reports in a third)."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from analysis.report import forget_reports
    from analysis.tasks import exact_schedule_forget
    from surveys.selectors import structure_memory_clear

    cache.clear()
    structure_memory_clear()  # the structures a process keeps beside the cache
    forget_reports()  # and the reports it built
    exact_schedule_forget()  # and the waves whose exact tests it has queued
    # Content types are cached per process. A transactional test's flush, a serialized rollback's
    # restore or a migration test can leave ids in that cache which its database no longer holds
    # (PostgreSQL's sequences then hand out new ids), and the admin's history would point to them.
    ContentType.objects.clear_cache()
    yield
    cache.clear()
    structure_memory_clear()
    forget_reports()
    exact_schedule_forget()
    ContentType.objects.clear_cache()


# --- interviews and coding ---------------------------------------------------------------------

@pytest.fixture
def cluster_managers(instruments) -> Instrument:
    return instruments["cluster-managers"]


@pytest.fixture
def interview_wave(cluster_managers) -> Wave:
    return Wave.objects.create(
        instrument=cluster_managers, title="Interviews 2026", slug="interviews-2026", status=Wave.Status.OPEN,
        access=Wave.Access.INVITATION, opens_at=timezone.now() - dt.timedelta(days=1))


@pytest.fixture
def users(interview_wave, make_user) -> dict[str, User]:
    """One user per role of the interview wave; both interviewers assigned, the outsider not."""
    out = {
        "interviewer": make_user(INTERVIEWERS, username="ivan"),
        "interviewer2": make_user(INTERVIEWERS, username="irina"),
        "coder": make_user(CODERS, username="coder_a"),
        "coder2": make_user(CODERS, username="coder_b"),
        "researcher": make_user(RESEARCHERS, username="rita"),
        "admin": make_user(ADMINS, username="adam", is_staff=True),
        "outsider": make_user(INTERVIEWERS, username="olga"),  # an interviewer not assigned to the wave
    }
    interview_services.interviewer_assign(wave=interview_wave, interviewer=out["interviewer"])
    interview_services.interviewer_assign(wave=interview_wave, interviewer=out["interviewer2"])
    return out


@pytest.fixture
def codebook(cluster_managers):
    return coding_services.codebook_create(
        question=Question.objects.get(instrument=cluster_managers, code="added_value"))


@pytest.fixture
def make_interview(interview_wave, users):
    """Create an interview through the services; ``complete`` answers the required questions too."""

    def make(text: str = "We start joint R&D projects and win project funds.", *, complete: bool = True,
             interviewer=None) -> Interview:
        interviewer = interviewer or users["interviewer"]
        interview = interview_services.interview_start(wave=interview_wave, interviewer=interviewer, consent=1)
        values = dict(INTERVIEW_ANSWERS, added_value_text=text) if complete else {"added_value_text": text}
        result = interview_services.interview_save(interview=interview, user=interviewer,
                                                   base_version=interview.version, values=values)
        if complete:
            interview = interview_services.interview_complete(interview=result.interview, user=interviewer,
                                                              base_version=result.interview.version)
        return Interview.objects.select_related("response").get(pk=interview.pk)

    return make
