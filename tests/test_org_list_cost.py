"""What the organization list costs per request, so that the gains cannot silently regress: one
Auth0 call, a handful of SQL queries, and work that does not grow with the rows shown (no
reverse() per row). Also that the cheaper ways of reading permissions, role and reach answer
exactly as Django's did."""

from __future__ import annotations

import html
import re
from unittest import mock

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.urls.resolvers import URLResolver

from orgs.auth0_mgmt import Organization
from orgs.selectors import ORGANIZATION_PAGE_KEY
from orgs.staff import permissions as staff_permissions
from orgs.views.organizations import organization_rows
from tests.seeds import ORG_IDS, small_seed
from tests.view_helpers import HX, text

LIST = "/organizations/"
MAX_QUERIES = 5
"""Session, user, groups and permissions (one query), reach (StaffAccess), the shared Auth0
rate-limit figures, the remembered page."""


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cost(auth0, client, *args, **kwargs):
    """(response, Auth0 calls, SQL queries) of one request."""
    auth0.clear_requests()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(*args, **kwargs)
    assert response.status_code == 200
    return response, auth0.api_requests(), [q["sql"] for q in queries.captured_queries]


@pytest.fixture
def many_organizations(auth0):
    seed = small_seed()
    seed["organizations"] += [
        {"name": f"org-{i:03d}", "display_name": f"Org {i:03d}", "metadata": {"region": "eu"}}
        for i in range(60)
    ]
    auth0.load_seed(seed)


@pytest.mark.parametrize("headers", [{}, HX], ids=["full page", "htmx table"])
def test_the_organization_list_costs_one_auth0_call_then_none_and_few_queries(
    auth0, client, headers
):
    client.get(LIST)  # the first request of the process fetches a token
    cache.delete(ORGANIZATION_PAGE_KEY.format(page=0, per_page=25, sort="name:1"))  # expired
    _, calls, _ = cost(auth0, client, LIST, headers=headers)
    assert len(calls) == 1 and calls[0]["path"] == "/api/v2/organizations"

    response, calls, queries = cost(auth0, client, LIST, headers=headers)  # remembered

    assert calls == []
    assert len(queries) <= MAX_QUERIES, queries
    assert sum("permission" in q for q in queries) == 1  # permissions and role: one query
    assert sum("orgs_staffaccess" in q for q in queries) == 1
    assert re.findall(r"<td><code>(org_\w+)</code></td>", text(response)) == list(ORG_IDS.values())


def test_a_search_and_a_scoped_staff_member_cost_no_auth0_call_once_the_catalogue_is_read(
    auth0, client, make_staff
):
    eu_viewer = signed_in(
        make_staff("eu-viewer", "Viewer", all_organizations=False, organization_rule="region=eu")
    )
    client.get(LIST, {"q": "glob"})  # the catalogue is read once, for everyone

    for who, query in ((client, {"q": "acme"}), (eu_viewer, {}), (eu_viewer, {"q": "ini"})):
        _, calls, queries = cost(auth0, who, LIST, query, headers=HX)
        assert calls == []
        assert len(queries) <= MAX_QUERIES, queries


def test_the_cost_does_not_grow_with_the_rows_shown(auth0, client, many_organizations):
    client.get(LIST)

    def measured(per_page: int) -> tuple[int, int, int]:
        with mock.patch.object(
            URLResolver,
            "_reverse_with_prefix",
            autospec=True,
            side_effect=URLResolver._reverse_with_prefix,
        ) as reversing:
            response, calls, queries = cost(auth0, client, LIST, {"per_page": per_page})
        rows = len(re.findall(r"<td><code>org_\w+</code></td>", text(response)))
        assert rows == per_page
        return len(calls), len(queries), reversing.call_count

    assert measured(10) == measured(50)


@pytest.mark.parametrize(
    "org_id",
    [
        "org_Acme000000000001",
        "org_a b",
        "org_ü",
        "org_%41",
        "org_<b>&'\"",
        "org_a?b#c",
        "org_a/b",
        "..",
        "org_a/../..",
    ],
)
def test_each_row_links_to_its_organization_as_reverse_would(org_id):
    organization = Organization(id=org_id, name="<n>", display_name="", metadata={})

    row = organization_rows([organization])
    href = html.unescape(re.search(r'<a href="([^"]*)">', row)[1])

    assert href == reverse("orgs:organization_detail", kwargs={"org_id": org_id})
    assert href.count("/") == 3 and "/../" not in href  # one segment, never a dot segment
    assert "<td>&lt;n&gt;</td>" in row and row.count("<tr>") == 1
    assert "<td>—</td>" in row  # no region


# --- permissions, role and reach, read once ------------------------------------------------


@pytest.fixture
def mixed_staff(make_staff):
    """A Support member who also holds an empty group and one permission of their own."""
    user = make_staff("mixed", "Support", all_organizations=False, organization_ids=["org_x"])
    user.groups.add(Group.objects.create(name="no permissions"))
    user.user_permissions.add(Permission.objects.get(codename="view_all_activity"))
    return user


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_permissions_read_in_one_query_are_django_s(mixed_staff, django_assert_num_queries):
    expected = fresh(mixed_staff)
    backend = ModelBackend()
    own, grouped = backend.get_user_permissions(expected), backend.get_group_permissions(expected)

    user = fresh(mixed_staff)
    with django_assert_num_queries(2):  # groups and permissions; reach
        staff_permissions.load(user)
    with django_assert_num_queries(0):
        assert backend.get_user_permissions(user) == own == {"orgs.view_all_activity"}
        assert backend.get_group_permissions(user) == grouped
        assert "orgs.remove_members" in grouped and "orgs.manage_staff" not in grouped
        assert user.get_all_permissions() == own | grouped
        assert user.has_perm("orgs.view_all_activity") and not user.has_perm("orgs.manage_staff")
        assert staff_permissions.staff_role(user) == "Support"
        assert user.staff_access.organization_ids == ["org_x"]
        assert user.staff_access.user is user


def test_a_superuser_and_someone_without_reach_or_groups(db, django_assert_num_queries):
    from django.contrib.auth import get_user_model

    from orgs.models import StaffAccess

    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests")
    staff_permissions.load(root)
    assert root.has_perm("orgs.manage_staff")  # every permission, as Django answers it
    assert staff_permissions.staff_role(root) is None
    with django_assert_num_queries(0), pytest.raises(StaffAccess.DoesNotExist):
        root.staff_access  # noqa: B018 - no reach recorded, as the ORM would say


def test_a_change_of_role_shows_on_the_next_page(auth0, make_staff):
    from orgs.staff.access import set_role

    person = make_staff("changing", "Viewer")
    browser = signed_in(person)
    assert "changing · Viewer" in text(browser.get(LIST))
    assert "Sign out" in text(browser.get(LIST))

    set_role(person, "Admin")
    page = text(browser.get(LIST))
    assert "changing · Admin" in page
    assert 'href="/staff/"' in page  # an Admin who reaches everything manages staff


def test_header_links_are_the_reversed_addresses(auth0, client):
    page = text(client.get(LIST))
    for name in ("orgs:organization_list", "orgs:activity", "orgs:staff_list", "logout"):
        assert f'"{reverse(name)}"' in page
    assert f'action="{reverse("orgs:organization_jump")}"' in page


# --- sessions, read with one plain query -------------------------------------------------------


def test_sessions_are_django_s_database_sessions_read_with_one_query(
    admin_staff, django_assert_num_queries
):
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from orgs.staff.sessions import SessionStore

    assert settings.SESSION_ENGINE == "orgs.staff.sessions"
    theirs = DjangoStore()
    theirs["who"] = "admin"
    theirs.create()

    ours = SessionStore(theirs.session_key)
    with django_assert_num_queries(1):
        assert ours["who"] == "admin"
    assert DjangoStore(ours.session_key).load() == {"who": "admin"}

    Session.objects.filter(pk=theirs.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(theirs.session_key)
    assert expired.load() == {} and expired.session_key is None  # as Django's: a new one
    assert SessionStore("no-such-session-key").load() == {}


def test_an_expired_or_deleted_session_signs_out(auth0, admin_staff):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    browser = signed_in(admin_staff)
    assert browser.get(LIST).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert browser.get(LIST).status_code == 302  # to the sign-in page

    browser = signed_in(admin_staff)
    Session.objects.all().delete()  # signed out elsewhere
    assert browser.get(LIST).status_code == 302
