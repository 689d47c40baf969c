"""Only organization roles are assigned in organizations: ADMINPORTAL_ORGANIZATION_ROLES (names)
and ADMINPORTAL_ORGANIZATION_ROLE_PATTERN (a pattern) say which; the tenant's other roles
(tenant-wide ones such as tenant-admin) are not offered in the role picker, and one posted or
typed anyway is refused by the service, with a message, and audited."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from emulator.seeds import ORG_ROLES, TENANT_ROLES
from orgs import services
from orgs.auth0_mgmt import Role
from orgs.models import AuditEvent
from orgs.roles import in_organizations
from orgs.staff.guardrails import GuardrailRefused, NotAnOrganizationRole
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, hx_messages, members_of, one_message, text, toasts, writes

ACME = ORG_IDS["acme"]
ANA, BEN = USER_IDS["ana"], USER_IDS["ben"]
ANA_URL = f"/organizations/{ACME}/members/{ANA}/"
TENANT_ADMIN, BETA_TESTER = ROLE_IDS["tenant-admin"], ROLE_IDS["beta-tester"]
ROOT = Path(__file__).resolve().parents[1]


def offered_roles(response) -> list[str]:
    return re.findall(r'<input type="checkbox" name="roles" value="(rol_\w+)"', text(response))


def roles_named(*names: str) -> list[Role]:
    return [Role(id=f"rol_{i}", name=name) for i, name in enumerate(names)]


# --- the setting ------------------------------------------------------------------------------


def test_by_default_the_demo_organization_roles_are_assignable_and_its_tenant_roles_not():
    org_roles = roles_named(*(name for name, _ in ORG_ROLES))
    tenant_roles = roles_named(*(name for name, _ in TENANT_ROLES))

    assert in_organizations(org_roles) == org_roles
    assert in_organizations(tenant_roles) == []


def test_names_and_a_pattern_both_allow_compared_as_people_read_them(settings):
    settings.ORGANIZATION_ROLES = [" Support-Agent ", "viewer"]
    settings.ORGANIZATION_ROLE_PATTERN = r"org-\w+|billing-.*"
    allowed = roles_named(
        "support\u2011agent", "VIEWER", "Org-Owner", "org\u2013admin", "billing-anything"
    )
    refused = roles_named("tenant-admin", "org-owner-and-more x", "xorg-owner", "viewers")

    assert in_organizations([*allowed, *refused]) == allowed


def test_without_names_or_pattern_no_role_is_assignable(settings):
    settings.ORGANIZATION_ROLES = []
    settings.ORGANIZATION_ROLE_PATTERN = ""

    assert in_organizations(roles_named("viewer", "org-owner", "")) == []


def settings_under(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, adminportal.settings as s; "
        "print(json.dumps([s.ORGANIZATION_ROLES, s.ORGANIZATION_ROLE_PATTERN]))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ADMINPORTAL_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT / "tests",  # no .env file there
        env={**clean, "PYTHONPATH": str(ROOT), "DJANGO_SECRET_KEY": "k", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_setting_comes_from_the_environment():
    result = settings_under(
        {
            "ADMINPORTAL_ORGANIZATION_ROLES": "member,org-admin",
            "ADMINPORTAL_ORGANIZATION_ROLE_PATTERN": "org-.*",
        }
    )
    assert json.loads(result.stdout) == [["member", "org-admin"], "org-.*"]

    default = json.loads(settings_under({}).stdout)
    assert default == [[name for name, _ in ORG_ROLES], ""]

    broken = settings_under({"ADMINPORTAL_ORGANIZATION_ROLE_PATTERN": "org-(.*"})
    assert broken.returncode != 0
    assert "ADMINPORTAL_ORGANIZATION_ROLE_PATTERN is not a valid regular expression" in (
        broken.stderr
    )


# --- the service ------------------------------------------------------------------------------


def test_the_service_refuses_a_tenant_wide_role_and_audits_the_refusal(auth0, admin_staff):
    auth0.clear_requests()

    with pytest.raises(NotAnOrganizationRole) as refused:
        services.member_roles_assign(
            actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["viewer"], TENANT_ADMIN]
        )

    assert isinstance(refused.value, GuardrailRefused)
    assert "tenant-admin is not an organization role" in refused.value.message
    assert writes(auth0) == []
    assert members_of(auth0, ACME)[BEN] == {ROLE_IDS["support-agent"], ROLE_IDS["billing-admin"]}
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_ROLES_ASSIGN)
    assert event.outcome == AuditEvent.Outcome.REFUSED
    assert event.error_class == "NotAnOrganizationRole"
    assert event.targets == [{"user_id": BEN}]


def test_a_role_the_pattern_allows_is_assigned(auth0, admin_staff, settings):
    settings.ORGANIZATION_ROLES = []
    settings.ORGANIZATION_ROLE_PATTERN = r"beta-.*"

    services.member_roles_assign(
        actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[BETA_TESTER]
    )

    assert BETA_TESTER in members_of(auth0, ACME)[BEN]
    with pytest.raises(NotAnOrganizationRole):
        services.member_roles_assign(
            actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[ROLE_IDS["viewer"]]
        )


# --- the views --------------------------------------------------------------------------------


def test_the_role_picker_offers_organization_roles_only(auth0, client, make_staff):
    support = Client()
    support.force_login(make_staff("sam", "Support"))

    as_admin = offered_roles(client.get(ANA_URL))
    as_support = offered_roles(support.get(ANA_URL, headers=HX))

    assert sorted(as_admin) == sorted(
        ROLE_IDS[n] for n in ("org-admin", "support-agent", "billing-admin", "viewer")
    )
    assert sorted(as_support) == sorted(
        ROLE_IDS[n] for n in ("support-agent", "billing-admin", "viewer")
    )


def test_a_tenant_wide_role_posted_anyway_is_refused_with_a_message(auth0, client):
    auth0.clear_requests()

    response = client.post(ANA_URL, {"roles": [TENANT_ADMIN]}, headers=HX)

    assert response.status_code == 403
    level, message = one_message(hx_messages(response))
    assert level == "warning"
    assert message.startswith(
        "Could not add tenant-admin to Ana Lee in Acme Corporation: tenant-admin is not an "
        "organization role"
    )
    assert message.endswith("Nothing was changed.")
    assert writes(auth0) == []


def test_a_tenant_wide_role_typed_by_name_is_refused_without_js(auth0, client):
    response = client.post(ANA_URL, {"names": "Beta\u2011Tester"})

    assert response.status_code == 403
    level, message = one_message(toasts(response))
    assert "beta-tester is not an organization role" in message
    assert BETA_TESTER not in members_of(auth0, ACME)[ANA]
    assert AuditEvent.objects.get().outcome == AuditEvent.Outcome.REFUSED


def test_a_member_holding_every_organization_role_is_told_so(auth0, client, settings):
    settings.ORGANIZATION_ROLES = ["org-owner"]

    page = text(client.get(ANA_URL))

    assert offered_roles(client.get(ANA_URL)) == []
    assert "Ana Lee already holds every organization role you may assign." in page
