import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from surveys import roles

pytestmark = pytest.mark.django_db


def test_role_groups_exist_with_their_permissions():
    perms = {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()}
    assert perms["Interviewers"] == {"conduct_interviews"}
    assert perms["Coders"] == {"code_answers"}
    assert perms["Researchers"] == {"analyse_waves", "manage_codebooks", "code_answers"}


@pytest.mark.parametrize("group,allowed", [(None, False), ("Coders", False), ("Researchers", True)])
def test_permission_required_refuses_users_without_the_permission(group, allowed):
    user = User.objects.create_user("u", password="p")
    if group:
        user.groups.add(Group.objects.get(name=group))
    view = roles.permission_required(roles.ANALYSE_WAVES)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/x/")
    request.user = User.objects.get(pk=user.pk)
    if allowed:
        assert view(request).status_code == 200
    else:
        with pytest.raises(PermissionDenied):
            view(request)


def test_a_refused_user_gets_the_403_message_page(client):
    client.force_login(User.objects.create_user("u", password="p"))
    r = client.get("/analysis/")
    assert r.status_code == 403
    assert "Access denied" in r.content.decode() and "does not have access" in r.content.decode()


def test_anonymous_is_sent_to_login():
    from django.contrib.auth.models import AnonymousUser
    view = roles.permission_required(roles.ANALYSE_WAVES)(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/x/")
    request.user = AnonymousUser()
    r = view(request)
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next=/x/")
