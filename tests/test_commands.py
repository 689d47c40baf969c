"""Management commands: create_staff (create or update a staff account with role, reach and
password) and demo_setup (the demo accounts, refused without DEBUG unless --force)."""

from __future__ import annotations

import getpass
import io
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from orgs.models import AuditEvent, StaffAccess
from orgs.staff.access import role_of
from tests.seeds import ORG_IDS, USER_IDS

ACME, GLOBEX, INITECH = ORG_IDS["acme"], ORG_IDS["globex"], ORG_IDS["initech"]
PASSWORD = "quiet-harbour-lamp-19"
User = get_user_model()


@pytest.fixture
def no_terminal(monkeypatch):
    """Standard input is not a terminal, whatever runs the tests."""
    monkeypatch.setattr(os, "isatty", lambda fd: False)


def create_staff(*args: str) -> str:
    out = io.StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def access(username: str) -> StaffAccess:
    return StaffAccess.objects.get(user__username=username)


# --- create_staff ------------------------------------------------------------------------------


def test_create_staff_with_an_id_list_and_a_password_from_the_environment(
    db, monkeypatch, no_terminal
):
    monkeypatch.setenv("ANA_PASSWORD", PASSWORD)

    out = create_staff(
        "ana",
        "--email",
        "ana@staff.example.com",
        "--role",
        "support",
        "--orgs",
        f"{GLOBEX}, {INITECH}",
        "--auth0-user-id",
        USER_IDS["ana"],
        "--password-env",
        "ANA_PASSWORD",
    )

    assert out == f"Created ana: support for {GLOBEX}, {INITECH}.\n"
    ana = User.objects.get(username="ana")
    assert ana.email == "ana@staff.example.com"
    assert ana.check_password(PASSWORD)
    assert list(ana.groups.values_list("name", flat=True)) == ["Support"]
    assert access("ana").organization_ids == [GLOBEX, INITECH]
    assert access("ana").all_organizations is False
    assert access("ana").organization_rule == ""
    assert access("ana").auth0_user_id == USER_IDS["ana"]


def test_create_staff_with_a_metadata_rule_and_single_sign_on_only(db, no_terminal):
    out = create_staff("eu-desk", "--role", "viewer", "--org-rule", "region=eu", "--sso-only")

    assert out == "Created eu-desk: viewer for metadata region=eu.\n"
    desk = User.objects.get(username="eu-desk")
    assert not desk.has_usable_password()
    assert role_of(desk) == "Viewer"
    assert access("eu-desk").organization_rule == "region=eu"
    assert access("eu-desk").organization_ids == []


def test_create_staff_for_all_organizations(db, monkeypatch, no_terminal):
    monkeypatch.setenv("OPS_PASSWORD", PASSWORD)

    out = create_staff("ops", "--role", "admin", "--all-orgs", "--password-env", "OPS_PASSWORD")

    assert out == "Created ops: admin for all organizations.\n"
    ops = User.objects.get(username="ops")
    assert role_of(ops) == "Admin"
    assert ops.has_perm("orgs.manage_staff")
    assert access("ops").all_organizations is True


def test_updating_an_existing_account_keeps_its_password_when_none_is_given(
    db, monkeypatch, no_terminal
):
    monkeypatch.setenv("ANA_PASSWORD", PASSWORD)
    create_staff(
        "ana",
        "--email",
        "ana@staff.example.com",
        "--role",
        "support",
        "--orgs",
        GLOBEX,
        "--auth0-user-id",
        USER_IDS["ana"],
        "--password-env",
        "ANA_PASSWORD",
    )

    out = create_staff("ana", "--role", "admin", "--all-orgs")

    assert out == "Updated ana: admin for all organizations.\n"
    assert User.objects.filter(username="ana").count() == 1
    ana = User.objects.get(username="ana")
    assert ana.check_password(PASSWORD)
    assert ana.email == "ana@staff.example.com"  # not given: kept
    assert list(ana.groups.values_list("name", flat=True)) == ["Admin"]
    assert access("ana").all_organizations is True
    assert access("ana").organization_ids == []  # the reach is replaced, not merged
    assert access("ana").auth0_user_id == USER_IDS["ana"]  # not given: kept


def test_updating_with_a_new_password_or_sso_only_replaces_the_password(
    db, monkeypatch, no_terminal
):
    monkeypatch.setenv("ANA_PASSWORD", PASSWORD)
    create_staff("ana", "--role", "viewer", "--orgs", ACME, "--password-env", "ANA_PASSWORD")
    monkeypatch.setenv("ANA_PASSWORD", "another-long-passphrase-8")

    create_staff("ana", "--role", "viewer", "--orgs", ACME, "--password-env", "ANA_PASSWORD")
    assert User.objects.get(username="ana").check_password("another-long-passphrase-8")

    create_staff("ana", "--role", "viewer", "--orgs", ACME, "--sso-only")
    assert not User.objects.get(username="ana").has_usable_password()


def test_the_password_is_asked_twice_on_a_terminal(db, monkeypatch):
    monkeypatch.setattr(os, "isatty", lambda fd: True)
    answers = iter([PASSWORD, PASSWORD])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))

    create_staff("ana", "--role", "viewer", "--orgs", ACME)

    assert User.objects.get(username="ana").check_password(PASSWORD)


def test_passwords_that_differ_on_the_terminal_are_refused(db, monkeypatch):
    monkeypatch.setattr(os, "isatty", lambda fd: True)
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt: next(answers))

    with pytest.raises(CommandError, match="The passwords were empty or did not match."):
        create_staff("ana", "--role", "viewer", "--orgs", ACME)
    assert not User.objects.filter(username="ana").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--role", "viewer", "--orgs", f"acme,{GLOBEX}", "--sso-only"],
            "Not organization ids: acme",
        ),
        (
            ["--role", "viewer", "--orgs", "org_bad-id", "--sso-only"],
            "Not organization ids: org_bad-id",
        ),
        (
            ["--role", "viewer", "--orgs", ",".join(f"org_{i:016d}" for i in range(501))],
            "--orgs lists at most 500; use --org-rule.",
        ),
        (
            ["--role", "viewer", "--all-orgs", "--orgs", GLOBEX, "--sso-only"],
            "--all-orgs cannot be combined with --orgs or --org-rule.",
        ),
        (
            ["--role", "viewer", "--all-orgs", "--org-rule", "region=eu", "--sso-only"],
            "--all-orgs cannot be combined with --orgs or --org-rule.",
        ),
        (
            ["--role", "viewer", "--org-rule", "region", "--sso-only"],
            "--org-rule looks like key=value, e.g. region=eu",
        ),
        (
            ["--role", "viewer", "--org-rule", "=eu", "--sso-only"],
            "--org-rule looks like key=value, e.g. region=eu",
        ),
        (
            ["--role", "viewer", "--org-rule", "region=eu=us", "--sso-only"],
            "--org-rule looks like key=value, e.g. region=eu",
        ),
        (
            ["--role", "viewer", "--orgs", ACME, "--auth0-user-id", "ana", "--sso-only"],
            r"--auth0-user-id looks like provider\|id",
        ),
        (
            ["--role", "viewer", "--orgs", ACME, "--password-env", "NO_SUCH_VARIABLE_HERE"],
            r"\$NO_SUCH_VARIABLE_HERE is empty or not set.",
        ),
        (
            ["--role", "viewer", "--orgs", ACME],
            r"Give --password-env VARIABLE or --sso-only \(no terminal\).",
        ),
        (
            ["--role", "viewer", "--password-env", "X", "--sso-only"],
            "not allowed with argument",
        ),
        (["--role", "owner", "--sso-only"], "invalid choice: 'owner'"),
        (["--orgs", ACME, "--sso-only"], "the following arguments are required: --role"),
    ],
)
def test_create_staff_refuses_bad_options_and_creates_nothing(
    db, monkeypatch, no_terminal, args, message
):
    monkeypatch.delenv("NO_SUCH_VARIABLE_HERE", raising=False)

    with pytest.raises(CommandError, match=message):
        create_staff("ana", *args)

    assert not User.objects.filter(username="ana").exists()
    assert not StaffAccess.objects.exists()


def test_an_empty_password_variable_is_refused(db, monkeypatch, no_terminal):
    monkeypatch.setenv("ANA_PASSWORD", "")

    with pytest.raises(CommandError, match=r"\$ANA_PASSWORD is empty or not set."):
        create_staff("ana", "--role", "viewer", "--orgs", ACME, "--password-env", "ANA_PASSWORD")
    assert not User.objects.filter(username="ana").exists()


def test_a_refused_update_changes_nothing(db, monkeypatch, no_terminal):
    monkeypatch.setenv("ANA_PASSWORD", PASSWORD)
    create_staff("ana", "--role", "viewer", "--orgs", ACME, "--password-env", "ANA_PASSWORD")

    with pytest.raises(CommandError):
        create_staff("ana", "--role", "admin", "--all-orgs", "--orgs", GLOBEX)

    ana = User.objects.get(username="ana")
    assert role_of(ana) == "Viewer"
    assert access("ana").organization_ids == [ACME]
    assert ana.check_password(PASSWORD)


def test_an_account_from_create_staff_signs_in_and_sees_its_reach(auth0, monkeypatch, no_terminal):
    from django.test import Client

    monkeypatch.setenv("ANA_PASSWORD", PASSWORD)
    create_staff(
        "ana", "--role", "viewer", "--org-rule", "region=eu", "--password-env", "ANA_PASSWORD"
    )
    client = Client()

    assert client.post("/login/", {"username": "ana", "password": PASSWORD}).status_code == 302
    page = client.get("/organizations/").content.decode()
    assert f"/organizations/{GLOBEX}/" in page
    assert f"/organizations/{INITECH}/" in page
    assert f"/organizations/{ACME}/" not in page


def test_create_staff_is_recorded_in_the_audit_trail_without_the_password(
    db, monkeypatch, no_terminal
):
    """Regression: changes made with create_staff left no trace in the audit trail."""
    monkeypatch.setattr(getpass, "getuser", lambda: "deploy")
    monkeypatch.setenv("ANA_PASSWORD", PASSWORD)
    create_staff("ana", "--role", "support", "--orgs", GLOBEX, "--password-env", "ANA_PASSWORD")
    create_staff("ana", "--role", "admin", "--all-orgs", "--sso-only")
    with pytest.raises(CommandError):  # refused before anything changes: nothing to record
        create_staff("ana", "--role", "admin", "--all-orgs", "--orgs", GLOBEX)

    changed, created = AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_CHANGE)
    for event in (created, changed):
        assert event.staff is None
        assert event.staff_username == "manage.py create_staff (deploy)"
        assert event.targets == [{"user_id": "staff:ana", "label": "ana"}]
        assert event.outcome == AuditEvent.Outcome.SUCCESS
        assert PASSWORD not in str(AuditEvent.objects.filter(pk=event.pk).values().get())
    assert created.message == (
        "Created all_organizations:  → False, auth0_user_id:  → , email:  → , "
        f"is_active:  → True, organization_ids:  → {GLOBEX}, organization_rule:  → , "
        "role:  → Support, sign_in:  → password, username:  → ana; password set"
    )
    assert changed.message == (
        f"Changed all_organizations: False → True, organization_ids: {GLOBEX} → , "
        "role: Support → Admin, sign_in: password → single sign-on only"
    )


def test_create_staff_names_the_command_when_the_os_user_is_unknown(db, monkeypatch, no_terminal):
    def no_user() -> str:
        raise OSError("no user name")

    monkeypatch.setattr(getpass, "getuser", no_user)

    create_staff("ops", "--role", "viewer", "--all-orgs", "--sso-only")

    assert AuditEvent.objects.get().staff_username == "manage.py create_staff"


# --- demo_setup --------------------------------------------------------------------------------


def test_demo_setup_is_refused_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="Demo accounts have public passwords"):
        call_command("demo_setup", stdout=io.StringIO())
    assert not User.objects.exists()


@pytest.mark.parametrize(("debug", "args"), [(True, []), (False, ["--force"])])
def test_demo_setup_creates_the_three_demo_accounts(db, settings, debug, args):
    settings.DEBUG = debug
    out = io.StringIO()

    call_command("demo_setup", *args, stdout=out)

    expected = {
        "admin": ("demo-admin-password", "Admin", True, ""),
        "support": ("demo-support-password", "Support", True, ""),
        "eu-viewer": ("demo-viewer-password", "Viewer", False, "region=eu"),
    }
    assert sorted(User.objects.values_list("username", flat=True)) == sorted(expected)
    for username, (password, role, all_orgs, rule) in expected.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert user.email == f"{username}@adminportal.example.com"
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert access(username).all_organizations is all_orgs
        assert access(username).organization_rule == rule
        assert f"{username:<10} {password:<24} {role}" in out.getvalue()


def test_demo_setup_runs_again_without_duplicates_and_resets_the_passwords(db, settings):
    settings.DEBUG = True
    call_command("demo_setup", stdout=io.StringIO())
    support = User.objects.get(username="support")
    support.set_password("changed-by-someone-42")
    support.save()

    call_command("demo_setup", stdout=io.StringIO())

    assert User.objects.count() == 3
    assert StaffAccess.objects.count() == 3
    assert User.objects.get(username="support").check_password("demo-support-password")
    assert role_of(User.objects.get(username="support")) == "Support"


def test_a_weak_password_from_the_environment_is_refused_like_on_the_staff_page(
    db, monkeypatch, no_terminal
):
    monkeypatch.setenv("WEAK", "password")
    with pytest.raises(CommandError, match="too common"):
        create_staff("weak", "--role", "viewer", "--all-orgs", "--password-env", "WEAK")
    assert not get_user_model().objects.filter(username="weak").exists()
