"""Who may open which page: every URL pattern of the project, for every role.

The table EXPECTED below says, for each URL (keyed by its name, or by its route when
it has none), what each role gets from a GET. The test walks the whole URL
configuration (django.urls.get_resolver, recursively, admin included), so a new view
without a line in the table fails the suite, naming the URL: add its line here.

Outcomes: "ok" (200), "login" (sent to /accounts/login/), "admin_login" (sent to the
admin's login), "redirect" (another redirect: the respondent flow moving on),
"forbidden" (403), "not_found" (404), "not_allowed" (405: POST only).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from config import urls as project_urls

from surveys import roles, services
from surveys.models import Instrument, Invitation, Question, Response, Scale, Section, Wave

ROLES = ("anonymous", "respondent", "interviewer", "coder", "researcher", "admin")
STAFF_USERS = ("interviewer", "coder", "researcher")


def expect(default: str, **by_role: str) -> dict[str, str]:
    """Outcome for every role: ``default``, except the roles named."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: by_role.get(role, default) for role in ROLES}


PUBLIC = expect("ok")
ADMIN_ONLY = expect("admin_login", admin="ok")
ADMIN_FORBIDDEN = expect("admin_login", admin="forbidden")  # e.g. adding what only a service creates
ADMIN_REDIRECT = expect("admin_login", admin="redirect")
SIGNED_IN = expect("login", interviewer="ok", coder="ok", researcher="ok", admin="ok")


def needs(*allowed_roles: str) -> dict[str, str]:
    """A page behind ``roles.permission_required``: anonymous -> login, others 403 unless allowed."""
    return expect("forbidden", anonymous="login", respondent="login", **{r: "ok" for r in allowed_roles})


# One line per URL. Keep it sorted by area; the test names any URL missing here.
EXPECTED: dict[str, dict[str, str]] = {
    # --- respondents (surveys/urls.py); the wave is invitation-only ------------------
    "surveys:home": PUBLIC,
    "favicon.ico": expect("redirect"),  # to the static favicon
    "staff_home": expect("redirect", anonymous="login", respondent="login"),  # to each role's home
    "surveys:wave_entry": expect("forbidden", respondent="ok"),  # "Invitation required" without one
    "surveys:resume": expect("redirect"),  # a valid resume link continues the response
    "surveys:step": expect("redirect", respondent="ok"),  # no response in session -> entry page
    "surveys:review": expect("redirect"),  # respondent has pages left -> sent to them
    "surveys:saved": expect("redirect", respondent="ok"),
    "surveys:saved_email": expect("not_allowed"),  # POST only
    "surveys:thanks": expect("redirect"),  # not submitted yet
    "surveys:invitation": expect("redirect"),  # a valid link starts (or resumes) its response
    "surveys:preview": needs("researcher", "admin"),  # the questionnaire as a respondent sees it; stores nothing
    "surveys:preview_step": needs("researcher", "admin"),
    "surveys:preview_review": needs("researcher", "admin"),
    # --- the researcher's workspace (analysis/urls.py) ------------------------------------
    "analysis:index": needs("researcher", "admin"),
    "analysis:compare": needs("researcher", "admin"),
    "analysis:check_percentages": needs("researcher", "admin"),
    "analysis:report": needs("researcher", "admin"),
    "analysis:download": needs("researcher", "admin"),  # the codebook of the wave, as CSV
    # --- interviews and coding (surveys/interviews/urls.py, surveys/coding/urls.py) ---------------
    # The world's wave is a questionnaire, not an interview wave assigned to anyone, and its
    # response is no interview: the interviewer pages refuse everybody but the login redirect.
    "interviews:home": needs("interviewer", "admin"),
    "interviews:wave": expect("forbidden", anonymous="login", respondent="login"),  # not an interview of theirs
    "interviews:start": expect("forbidden", anonymous="login", respondent="login"),  # not an interview of theirs
    "interviews:edit": expect("forbidden", anonymous="login", respondent="login"),  # not an interview of theirs
    "interviews:autosave": expect("not_allowed"),  # POST only
    "interviews:complete": expect("not_allowed"),  # POST only
    "interviews:history": expect("forbidden", anonymous="login", respondent="login"),  # not an interview of theirs
    "interviews:correct": expect("forbidden", anonymous="login", respondent="login"),  # not an interview of theirs
    "coding:codebook_design": expect("not_allowed"),  # POST only
    "coding:home": needs("coder", "researcher", "admin"),
    "coding:codebooks": needs("researcher", "admin"),
    "coding:codebook": expect("forbidden", anonymous="login", respondent="login", researcher="ok", admin="ok"),
    "coding:category_add": expect("forbidden", anonymous="login", respondent="login", researcher="ok", admin="ok"),
    "coding:category_edit": expect("forbidden", anonymous="login", respondent="login", researcher="ok",
                                   admin="ok"),
    "coding:merge": expect("forbidden", anonymous="login", respondent="login", researcher="ok", admin="ok"),
    "coding:next": expect("forbidden", anonymous="login", respondent="login", coder="not_found",
                          researcher="not_found", admin="not_found"),
    "coding:consensus": expect("forbidden", anonymous="login", respondent="login", researcher="not_found",
                               admin="not_found"),
    "coding:unit": expect("forbidden", anonymous="login", respondent="login", coder="not_found",
                          researcher="not_found", admin="not_found"),
    "coding:consensus_unit": expect("forbidden", anonymous="login", respondent="login", researcher="not_found",
                                    admin="not_found"),
    # --- fieldwork (surveys/fieldwork/urls.py): researchers watch, admins send ---------------
    "fieldwork:index": needs("researcher", "admin"),
    "fieldwork:dashboard": needs("researcher", "admin"),
    "fieldwork:compose": needs("admin"),  # e-mail texts and sending: admins only
    "fieldwork:invitations": needs("admin"),  # e-mail addresses and states: admins only
    "fieldwork:retry": expect("not_allowed"),  # POST only
    "fieldwork:partial_csv": needs("researcher", "admin"),
    "fieldwork:job_create": expect("not_allowed"),  # POST only
    "fieldwork:job_download": expect("forbidden", anonymous="login", respondent="login", researcher="not_found",
                                     admin="not_found"),  # no such job
    "fieldwork:opt_out": expect("not_found"),  # an invalid opt-out link: a page saying so
    # --- language and accounts ----------------------------------------------------------
    "set_language": expect("redirect"),  # GET without a language: back to the page
    "login": expect("ok"),
    "logout": expect("not_allowed"),  # POST only
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,  # an invalid link: a page saying so
    "password_reset_complete": PUBLIC,
    "admin_password_reset": PUBLIC,  # the admin login's "Forgotten your password?"
    # --- the admin: staff only; our "admin" role is a superuser ---------------------------
    "admin:index": ADMIN_ONLY,
    "admin:login": expect("ok", admin="redirect"),
    "admin:logout": expect("redirect", admin="not_allowed"),  # POST only; others are sent to the admin index
    "admin:password_change": ADMIN_ONLY,
    "admin:password_change_done": ADMIN_ONLY,
    "admin:autocomplete": ADMIN_FORBIDDEN,  # without its query parameters
    "admin:jsi18n": ADMIN_ONLY,
    "admin:view_on_site": expect("admin_login", admin="not_found"),  # waves have no public page of their own
    "admin:app_list": ADMIN_ONLY,
    "admin/(?P<url>.*)$": expect("admin_login", admin="not_found"),  # the admin's catch-all
    **{
        f"admin:{model}_{view}": ADMIN_ONLY
        for model in ("auth_group", "auth_user", "surveys_scale", "surveys_section", "surveys_question",
                      "surveys_instrument", "surveys_wave", "surveys_invitation", "surveys_response",
                      "coding_codebook")
        for view in ("changelist", "history", "delete", "change")
    },
    **{  # models with no object in the world: the admin says so and goes back to the list
        f"admin:{model}_{view}": ADMIN_REDIRECT
        for model in ("coding_coding", "coding_codingdecision", "coding_unitview", "coding_unitcorrection",
                      "interviews_interview", "interviews_interviewerassignment", "surveys_questionaddition",
                      "fieldwork_message", "fieldwork_mailing", "fieldwork_messagetemplate", "fieldwork_contact",
                      "fieldwork_job", "django_tasks_database_dbtaskresult")
        for view in ("history", "delete", "change")
        if f"{model}_{view}" != "django_tasks_database_dbtaskresult_delete"
    },
    **{  # coding records are never deleted in the admin (read-only audit records)
        f"admin:coding_{model}_delete": ADMIN_FORBIDDEN
        for model in ("coding", "codingdecision", "unitview", "unitcorrection")
    },
    "admin:interviews_interview_history": expect("admin_login", admin="not_found"),  # django-simple-history's view
    **{f"admin:{model}_changelist": ADMIN_ONLY
       for model in ("coding_coding", "coding_codingdecision", "coding_unitview", "coding_unitcorrection",
                     "interviews_interview", "interviews_interviewerassignment", "surveys_questionaddition",
                     "fieldwork_message", "fieldwork_mailing", "fieldwork_messagetemplate", "fieldwork_contact",
                     "fieldwork_job", "django_tasks_database_dbtaskresult")},
    # messages, mailings, contacts and jobs come from the fieldwork pages; task results from the worker
    **{f"admin:{model}_add": ADMIN_FORBIDDEN
       for model in ("fieldwork_message", "fieldwork_mailing", "fieldwork_contact", "fieldwork_job",
                     "django_tasks_database_dbtaskresult")},
    "admin:fieldwork_messagetemplate_add": ADMIN_ONLY,
    "admin:django_tasks_database_dbtaskresult_delete": ADMIN_FORBIDDEN,  # task results are never deleted there
    **{
        f"admin:{model}_add": ADMIN_ONLY
        for model in ("auth_group", "auth_user", "surveys_scale", "surveys_section", "surveys_question",
                      "surveys_instrument", "surveys_wave")
    },
    "admin:surveys_invitation_add": ADMIN_FORBIDDEN,  # invitations come from the wave's page only
    "admin:coding_codebook_add": ADMIN_FORBIDDEN,  # codebooks are created on the coding pages
    **{f"admin:coding_{model}_add": ADMIN_FORBIDDEN  # codings and their records come from the coding pages only
       for model in ("coding", "codingdecision", "unitview", "unitcorrection")},
    "admin:interviews_interview_add": ADMIN_FORBIDDEN,  # interviews start (with consent) on the interviewer's page
    "admin:interviews_interviewerassignment_add": ADMIN_ONLY,
    "admin:interviews_interview_simple_history": expect("admin_login", admin="not_found"),
    "admin:surveys_response_add": ADMIN_FORBIDDEN,  # responses come from respondents only
    "admin:auth_user_password_change": ADMIN_ONLY,
    "admin:surveys_wave_invitations": ADMIN_ONLY,
    "admin:surveys_wave_add_question": ADMIN_ONLY,  # the world's wave is open: the page with its confirmation
    "admin:surveys_questionaddition_add": ADMIN_FORBIDDEN,  # recorded by the wave's "add a question" page only
    "admin:surveys_instrument_import_xlsform": ADMIN_ONLY,  # the XLSForm upload page
    "admin:surveys_instrument_xlsform": ADMIN_ONLY,  # an instrument as an XLSForm (.xlsx)
    # django-axes' login attempts (read-only; deleting one unlocks): none in the world
    **{f"admin:axes_{model}_{view}": ADMIN_REDIRECT
       for model in ("accessattempt", "accesslog", "accessfailurelog") for view in ("history", "delete", "change")},
    **{f"admin:axes_{model}_changelist": ADMIN_ONLY for model in ("accessattempt", "accesslog", "accessfailurelog")},
    **{f"admin:axes_{model}_add": ADMIN_FORBIDDEN for model in ("accessattempt", "accesslog", "accessfailurelog")},
    **{f"admin/axes/{model}/<path:object_id>/": ADMIN_REDIRECT
       for model in ("accessattempt", "accesslog", "accessfailurelog")},
    **{
        f"admin/{app}/{model}/<path:object_id>/": ADMIN_REDIRECT  # old-style object URLs -> change page
        for app, model in (("auth", "group"), ("auth", "user"), ("surveys", "scale"), ("surveys", "section"),
                           ("surveys", "question"), ("surveys", "instrument"), ("surveys", "wave"),
                           ("surveys", "invitation"), ("surveys", "response"), ("coding", "codebook"),
                           ("coding", "coding"), ("coding", "codingdecision"), ("coding", "unitview"),
                           ("coding", "unitcorrection"), ("interviews", "interview"),
                           ("interviews", "interviewerassignment"), ("surveys", "questionaddition"),
                           ("fieldwork", "message"), ("fieldwork", "mailing"), ("fieldwork", "messagetemplate"),
                           ("fieldwork", "contact"), ("fieldwork", "job"), ("django_tasks_database", "dbtaskresult"))
    },
}


# --- walking the URL configuration ---------------------------------------------------------

@dataclass(frozen=True)
class Route:
    key: str  # the URL's name with its namespaces, or its route when it has no name
    name: str | None
    route: str
    params: tuple[str, ...]


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def all_routes() -> list[Route]:
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespaces: tuple[str, ...]) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespaces + ((entry.namespace,) if entry.namespace else ())
                walk(entry, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = ":".join(namespaces + (entry.name,)) if entry.name else None
                params = tuple(a or b for a, b in PARAM.findall(route))
                found.append(Route(key=name or route, name=name, route=route, params=params))

    walk(get_resolver(), "", ())
    return found


def missing_expectations() -> list[str]:
    return sorted({r.key for r in all_routes()} - set(EXPECTED))


def test_every_url_has_an_expectation():
    keys = [r.key for r in all_routes()]
    missing = missing_expectations()
    stale = sorted(set(EXPECTED) - set(keys))
    assert not missing, (
        "These URLs have no line in the permission table of tests/test_url_permissions.py; add one saying "
        "what each role gets:\n  " + "\n  ".join(missing)
    )
    assert not stale, "These lines of the permission table match no URL any more:\n  " + "\n  ".join(stale)


# --- the world the table is checked in -------------------------------------------------------

@dataclass
class World:
    wave: Wave
    values: dict[str, str]  # "<url key>:<param>" or "<param>" -> value
    users: dict[str, object]
    invitation_token: str

    def client(self, role: str) -> Client:
        """A fresh client in this role, so that no request depends on the ones before it."""
        client = Client()
        if role == "respondent":  # has opened their invitation link: a response in the session
            url = reverse("surveys:invitation", kwargs={"token": self.invitation_token})
            assert client.get(url).status_code == 302
        elif role in self.users:
            client.force_login(self.users[role])
        return client

    def url(self, route: Route) -> str:
        kwargs = {p: self.values.get(f"{route.key}:{p}", self.values.get(p)) for p in route.params}
        unknown = [p for p, v in kwargs.items() if v is None]
        assert not unknown, f"{route.key}: no test value for the URL parameters {unknown}; add them to `world`"
        if route.name and f"{route.key}:args" in self.values:  # unnamed groups (django-simple-history)
            return reverse(route.name, args=self.values[f"{route.key}:args"])
        if route.name:
            return reverse(route.name, kwargs=kwargs)
        path = route.route
        for p, v in kwargs.items():
            path = re.sub(rf"<(?:\w+:)?{p}>|\(\?P<{p}>[^)]*\)", v, path)
        return "/" + path.lstrip("^").rstrip("$")


def _object_ids(**objects) -> dict[str, str]:
    values: dict[str, object] = {}
    for prefix, obj in objects.items():
        for view in ("history", "delete", "change"):
            values[f"admin:{prefix}_{view}:object_id"] = str(obj.pk)
        app, model = prefix.split("_", 1)
        values[f"admin/{app}/{model}/<path:object_id>/:object_id"] = str(obj.pk)
    return values


@pytest.fixture
def world(db, instruments) -> World:
    User = get_user_model()
    wave = Wave.objects.create(instrument=instruments["social-capital"], title="Invited", slug="invited",
                               status=Wave.Status.OPEN, access=Wave.Access.INVITATION)
    mine, other = services.invitations_create(wave=wave, count=2)
    resumable = services.response_start(wave=wave)  # an open-link response with a resume token
    services.response_start(wave=wave, invitation=mine.invitation)
    users = {}
    for role, group in (("interviewer", roles.INTERVIEWERS), ("coder", roles.CODERS),
                        ("researcher", roles.RESEARCHERS)):
        users[role] = User.objects.create_user(role, password="unused-password-123")
        users[role].groups.add(Group.objects.get(name=group))
    users["admin"] = User.objects.create_superuser("admin", "admin@example.org", "unused-password-123")
    users["admin"].groups.add(Group.objects.get(name=roles.ADMINS))
    response = Response.objects.filter(invitation=mine.invitation).get()
    from surveys.coding.services import codebook_create
    guide = instruments["cluster-managers"]
    codebook = codebook_create(question=guide.questions.get(code="added_value"),
                               text_question=guide.questions.get(code="added_value_text"))
    values = {
        "slug": wave.slug, "step": "1", "pk": str(wave.pk),
        "admin:surveys_instrument_xlsform:pk": str(wave.instrument_id),
        "analysis:download:name": "codebook", "analysis:download:fmt": "csv",
        "uuid": str(Response.objects.filter(invitation=mine.invitation).get().uuid), "question": "added_value",
        "coding:codebook:pk": str(codebook.pk), "coding:category_add:pk": str(codebook.pk),
        "coding:category_edit:pk": str(codebook.pk), "coding:merge:pk": str(codebook.pk),
        "category_pk": str(codebook.categories.first().pk),
        "admin:interviews_interview_simple_history:args": ["999999", "999999"],  # no such interview
        "fieldwork:job_download:pk": "999999", "fieldwork:opt_out:token": "not-a-valid-token",
        "surveys:resume:token": resumable.resume_token, "surveys:invitation:token": other.token,
        "app_label": "surveys", "url": "nothing-here/",
        "content_type_id": str(ContentType.objects.get_for_model(Wave).pk), "object_id": str(wave.pk),
        "id": str(users["admin"].pk), "uidb64": "MQ", "password_reset_confirm:token": "not-a-valid-token",
        **_object_ids(
            auth_group=Group.objects.get(name=roles.CODERS), auth_user=users["coder"],
            surveys_scale=Scale.objects.first(), surveys_section=Section.objects.first(),
            surveys_question=Question.objects.first(), surveys_instrument=Instrument.objects.first(),
            surveys_wave=wave, surveys_invitation=other.invitation, surveys_response=response,
            coding_codebook=codebook,
        ),
    }
    return World(wave=wave, values=values, users=users, invitation_token=mine.token)


def outcome(response) -> str:
    code = response.status_code
    if code == 200:
        return "ok"
    if code in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(reverse("admin:login")):
            return "admin_login"
        if location.startswith(reverse(settings.LOGIN_URL)):
            return "login"
        return "redirect"
    return {403: "forbidden", 404: "not_found", 405: "not_allowed", 410: "gone", 429: "too_many"}.get(code, str(code))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_table_says(world, role):
    wrong = []
    for route in all_routes():
        if route.key not in EXPECTED:
            continue  # reported by test_every_url_has_an_expectation
        url = world.url(route)
        got = outcome(world.client(role).get(url))  # a 500 raises here
        want = EXPECTED[route.key][role]
        if got != want:
            wrong.append(f"{route.key} ({url}): expected {want}, got {got}")
    assert not wrong, f"As {role}:\n  " + "\n  ".join(wrong)


urlpatterns = [  # used by the test below as a URL configuration with one view too many
    *project_urls.urlpatterns,
    path("analysis/secret/", lambda request: None, name="analysis_secret"),
]


def test_a_new_view_without_an_expectation_is_named(settings):
    settings.ROOT_URLCONF = __name__
    assert missing_expectations() == ["analysis_secret"]
