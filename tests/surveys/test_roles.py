import pytest
from django.contrib.auth.models import Group, User
from django.http import HttpResponse
from django.test import RequestFactory

from surveys import roles

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_permissions():
    perms = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert perms["Interviewers"] == {"conduct_interviews"}
    assert perms["Coders"] == {"code_answers"}
    assert perms["Researchers"] == {"analyse_waves", "manage_codebooks", "code_answers"}


@pytest.mark.parametrize("group,expected", [(None, 403), ("Coders", 403), ("Researchers", 200)])
def test_permission_required(group, expected):
    user = User.objects.create_user("u", password="p")
    if group:
        user.groups.add(Group.objects.get(name=group))
    view = roles.permission_required(roles.ANALYSE_WAVES)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/x/")
    request.user = User.objects.get(pk=user.pk)
    assert view(request).status_code == expected


def test_anonymous_is_sent_to_login():
    from django.contrib.auth.models import AnonymousUser
    view = roles.permission_required(roles.ANALYSE_WAVES)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    r = view(request)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=/x/")
