"""Members of "Admins" (staff, not superusers) can run waves in the admin."""
from __future__ import annotations

import importlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from surveys import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_member(client):
    user = get_user_model().objects.create_user("anna", password="pw-123456789", is_staff=True)
    user.groups.add(Group.objects.get(name=roles.ADMINS))
    client.force_login(user)
    return user


def test_the_group_has_the_admin_site_permissions():
    codenames = set(Group.objects.get(name=roles.ADMINS).permissions.values_list("codename", flat=True))
    assert {"view_wave", "add_wave", "change_wave", "delete_wave", "add_invitation", "change_response",
            "view_answer", "change_question", "delete_option", "add_waveoptionset"} <= codenames
    assert not {"add_response", "delete_response", "change_answer", "add_answer"} & codenames
    assert set(roles.ROLE_PERMISSIONS[roles.ADMINS]) <= codenames


@pytest.mark.parametrize("url", [
    "admin:index", "admin:surveys_wave_changelist", "admin:surveys_invitation_changelist",
    "admin:surveys_instrument_changelist", "admin:surveys_question_changelist", "admin:surveys_response_changelist",
    "admin:surveys_wave_add",
])
def test_a_member_opens_the_wave_pages(client, admin_member, url):
    assert client.get(reverse(url)).status_code == 200


def test_a_member_sees_the_waves_on_the_admin_index_but_not_the_users(client, admin_member):
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:surveys_wave_changelist") in html
    assert reverse("admin:surveys_invitation_changelist") in html
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_the_migration_is_idempotent():
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    migration = importlib.import_module("surveys.migrations.0007_admins_permissions")
    # The historical models a migration gets (never the global registry, which it alters).
    global_apps = MigrationLoader(connection).project_state().apps
    group = Group.objects.get(name=roles.ADMINS)
    before = set(group.permissions.values_list("codename", flat=True))
    migration.grant(global_apps, None)
    migration.grant(global_apps, None)
    assert set(group.permissions.values_list("codename", flat=True)) == before
    migration.revoke(global_apps, None)
    assert not set(roles.admin_site_codenames()) & set(group.permissions.values_list("codename", flat=True))
    migration.grant(global_apps, None)
    assert set(group.permissions.values_list("codename", flat=True)) == before
