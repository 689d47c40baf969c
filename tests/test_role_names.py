"""Role names are compared as people read them, by every guardrail and setting that names roles:
Unicode NFKC, invisible format characters dropped, every dash-like character read as "-",
trimmed, any case. So a role named `org-owner ` (trailing space), `Org‑Owner` (U+2011
NON-BREAKING HYPHEN) or `ＯＲＧ-owner` (full width) is `org-owner`."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from orgs import holders, services
from orgs.auth0_mgmt import Role
from orgs.models import AuditEvent
from orgs.roles import role_key
from orgs.staff.guardrails import GuardrailRefused, check_admin_only
from tests.seeds import ORG_IDS, USER_IDS
from tests.view_helpers import members_of, text

ACME = ORG_IDS["acme"]
ANA, BEN = USER_IDS["ana"], USER_IDS["ben"]

READ_AS_ORG_OWNER = [
    "org-owner",
    "org-owner ",  # trailing space
    "  Org-Owner\t",
    "org\u2011owner",  # NON-BREAKING HYPHEN (NFKC makes it U+2010 HYPHEN, not "-")
    "org\u2010owner",  # HYPHEN
    "org\u2013owner",  # EN DASH
    "org\u2014owner",  # EM DASH
    "org\u2212owner",  # MINUS SIGN
    "org\ufe63owner",  # SMALL HYPHEN-MINUS (NFKC: "-")
    "ＯＲＧ-owner",  # full width (NFKC)
    "org-\u200bowner",  # ZERO WIDTH SPACE
    "org\u00ad-owner",  # SOFT HYPHEN (invisible)
    "\ufeffORG-OWNER",  # byte order mark
    "ORG-OWNER\u00a0",  # NO-BREAK SPACE (NFKC: a space, trimmed)
]
NOT_ORG_OWNER = ["org-owners", "org owner", "orgowner", "org_owner", "org-own", "org.owner"]


@pytest.mark.parametrize("name", READ_AS_ORG_OWNER)
def test_names_people_read_as_the_same_role_have_one_key(name):
    assert role_key(name) == "org-owner"


@pytest.mark.parametrize("name", NOT_ORG_OWNER)
def test_names_that_read_differently_stay_different(name):
    assert role_key(name) != "org-owner"


@pytest.fixture
def support(make_staff):
    return make_staff("sam", "Support")


@pytest.mark.parametrize(
    "name", ["org-owner ", "org\u2011owner", "ORG\u2013ADMIN", "org-\u200badmin"]
)
def test_admin_only_roles_are_recognised_however_written(db, support, name):
    with pytest.raises(GuardrailRefused, match="Only an Admin may assign"):
        check_admin_only(support, [Role(id="rol_x", name=name)])


def test_the_settings_lists_are_normalised_too(db, settings, support):
    settings.ADMIN_ONLY_ROLES = [" Org\u2011Owner "]
    settings.PROTECTED_ROLES = ["ORG\u2013OWNER\u00a0"]
    owner = Role(id="rol_1", name="org-owner")

    with pytest.raises(GuardrailRefused, match="Only an Admin may assign org-owner"):
        check_admin_only(support, [owner])
    assert holders.protected_of([owner]) == {"rol_1": "org-owner"}


def test_protected_roles_are_recognised_however_written(settings):
    settings.PROTECTED_ROLES = ["org-owner"]
    roles = [Role(id=f"rol_{i}", name=name) for i, name in enumerate(READ_AS_ORG_OWNER)]
    others = [Role(id=f"rol_n{i}", name=name) for i, name in enumerate(NOT_ORG_OWNER)]

    assert set(holders.protected_of([*roles, *others])) == {r.id for r in roles}


# --- end to end: roles created in the tenant with look-alike names ----------------------------


def create_role(api, name: str) -> str:
    response = api("POST", "/roles", json={"name": name, "description": "look-alike"})
    assert response.status_code in (200, 201), response.text
    return response.json()["id"]


def test_support_cannot_assign_a_look_alike_admin_only_role(auth0, api, support):
    role_id = create_role(api, "Org\u2011Owner")

    with pytest.raises(GuardrailRefused, match="Only an Admin may assign Org\u2011Owner"):
        services.member_roles_assign(actor=support, org_id=ACME, user_id=BEN, role_ids=[role_id])

    assert role_id not in members_of(auth0, ACME)[BEN]
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_ROLES_ASSIGN)
    assert event.outcome == AuditEvent.Outcome.REFUSED


def test_the_picker_hides_look_alike_admin_only_roles_from_support(auth0, api, support):
    hidden = create_role(api, "org-owner ")
    also_hidden = create_role(api, "ORG\u2013ADMIN")
    browser = Client()
    browser.force_login(support)

    page = text(browser.get(f"/organizations/{ACME}/members/{BEN}/"))

    offered = re.findall(r'name="roles" value="(rol_\w+)"', page)
    assert offered and hidden not in offered and also_hidden not in offered


def test_the_last_holder_of_a_look_alike_protected_role_keeps_it(auth0, api, settings, admin_staff):
    settings.PROTECTED_ROLES = ["org-owner"]
    role_id = create_role(api, "Org\u2011Owner\u00a0")
    services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[role_id])

    with pytest.raises(GuardrailRefused, match="without anyone holding Org\u2011Owner"):
        services.member_roles_remove(
            actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[role_id]
        )
    assert role_id in members_of(auth0, ACME)[BEN]
