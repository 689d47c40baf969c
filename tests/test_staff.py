"""Staff management (Admins only): creating and editing staff accounts with a role, a reach, their
own Auth0 user and a password; each change audited; the new account signs in and sees exactly
its reach."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from orgs import services
from orgs.models import AuditEvent, StaffAccess
from orgs.staff.access import role_of
from orgs.staff.guardrails import GuardrailRefused
from orgs.views.staff import OWN_IDENTITY_HELP, OWN_IDENTITY_REFUSED
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import HX, hx_messages, one_message, text, toasts

ACME, GLOBEX, INITECH = ORG_IDS["acme"], ORG_IDS["globex"], ORG_IDS["initech"]
PASSWORD = "plum-orchard-ferry-42"
User = get_user_model()


def form_data(**changes) -> dict[str, str]:
    data = {
        "username": "ana",
        "email": "ana@staff.example.com",
        "role": "Support",
        "organization_ids": f"{GLOBEX}\n{INITECH}, {GLOBEX}",
        "organization_rule": "",
        "auth0_user_id": USER_IDS["ana"],
        "is_active": "on",
        "password": PASSWORD,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def staff_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.STAFF_CHANGE))


def sign_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, "the sign-in was refused"
    return client


def form_error(response) -> str:
    """The texts of the form's error boxes, unescaped."""
    found = re.findall(r'<div class="form-error" role="alert">(.*?)</div>', text(response), re.S)
    return html.unescape(" ".join(found))


def listed_orgs(client: Client) -> list[str]:
    response = client.get("/organizations/")
    assert response.status_code == 200
    return sorted(set(re.findall(r'href="/organizations/(org_\w+)/"', text(response))))


# --- who may manage staff ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["Support", "Viewer"])
def test_only_admins_reach_staff_management(auth0, make_staff, role):
    other = Client()
    other.force_login(make_staff("sam", role=role))

    for url in ("/staff/", "/staff/new/", f"/staff/{User.objects.get(username='sam').pk}/"):
        response = other.get(url)
        assert response.status_code == 403
        assert "Your staff role does not allow you to manage staff. Nothing was changed." in text(
            response
        )
    response = other.post("/staff/new/", form_data(role="Admin"))
    assert response.status_code == 403
    assert not User.objects.filter(username="ana").exists()
    assert role_of(User.objects.get(username="sam")) == role
    assert staff_events() == []

    htmx = other.post("/staff/new/", form_data(), headers=HX)
    assert htmx.status_code == 403
    assert one_message(hx_messages(htmx)) == (
        "error",
        "Your staff role does not allow you to manage staff. Nothing was changed.",
    )
    assert '<a href="/staff/"' not in text(other.get("/organizations/"))


def test_the_staff_list_shows_role_reach_and_sign_in(auth0, client, make_staff):
    make_staff("sam", role="Support", all_organizations=False, organization_ids=[GLOBEX])
    make_staff(
        "vera",
        role="Viewer",
        all_organizations=False,
        organization_ids=[ACME],
        organization_rule="region=eu",
    )

    response = client.get("/staff/")

    assert response.status_code == 200
    body = text(response)
    assert '<a href="/staff/"' in body  # the header links to it for Admins
    rows = re.findall(r"<tr[^>]*>\s*<td><a [^>]+>([^<]+)</a>.*?</tr>", body, re.S)
    assert rows == ["admin", "sam", "vera"]
    sam = re.search(r">sam</a>.*?</tr>", body, re.S)[0]
    assert "<td>Support</td>" in sam
    assert f"<td>{GLOBEX}</td>" in sam
    assert "<td>password</td>" in sam
    vera = re.search(r">vera</a>.*?</tr>", body, re.S)[0]
    assert f"<td>{ACME}; metadata region=eu</td>" in vera
    admin = re.search(r">admin</a>.*?</tr>", body, re.S)[0]
    assert "<td>Admin</td>" in admin and "<td>all organizations</td>" in admin


# --- creating ----------------------------------------------------------------------------------


def test_an_admin_creates_a_staff_member_who_then_signs_in_and_sees_their_reach(
    auth0, client, admin_staff
):
    response = client.post("/staff/new/", form_data())

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert ("success", "Saved ana: Support.") in toasts(client.get("/staff/"))
    ana = User.objects.get(username="ana")
    assert ana.email == "ana@staff.example.com"
    assert ana.is_active
    assert ana.check_password(PASSWORD)
    assert role_of(ana) == "Support"
    assert list(ana.groups.values_list("name", flat=True)) == ["Support"]
    access = StaffAccess.objects.get(user=ana)
    assert access.all_organizations is False
    assert access.organization_ids == [GLOBEX, INITECH]
    assert access.organization_rule == ""
    assert access.auth0_user_id == USER_IDS["ana"]

    (created,) = staff_events()
    assert created.staff == admin_staff
    assert created.staff_username == "admin"
    assert created.org_id == ""
    assert created.outcome == "success"
    assert created.targets == [{"user_id": "staff:ana", "label": "ana"}]
    assert created.message.startswith("Created ")
    assert "role:  → Support" in created.message
    assert f"organization_ids:  → {GLOBEX}\n{INITECH}" in created.message
    assert f"auth0_user_id:  → {USER_IDS['ana']}" in created.message
    assert created.message.endswith("; password set")
    assert PASSWORD not in str(AuditEvent.objects.values().get())

    ana_client = sign_in("ana", PASSWORD)
    assert listed_orgs(ana_client) == [GLOBEX, INITECH]
    out_of_reach = ana_client.get(f"/organizations/{ACME}/")
    assert out_of_reach.status_code == 404
    assert "Acme Corporation" not in out_of_reach.content.decode()
    assert ana_client.get(f"/organizations/{GLOBEX}/").status_code == 200
    assert ana_client.get("/staff/").status_code == 403


@pytest.mark.parametrize(
    ("reach", "expected", "described"),
    [
        ({"all_organizations": "on", "organization_ids": ""}, [ACME, GLOBEX, INITECH], "all"),
        ({"organization_ids": "", "organization_rule": "region=eu"}, [GLOBEX, INITECH], "rule"),
        (
            {"organization_ids": ACME, "organization_rule": "region=eu"},
            [ACME, GLOBEX, INITECH],
            "both",
        ),
        ({"organization_ids": ""}, [], "nothing"),
    ],
)
def test_each_kind_of_reach_is_what_the_new_staff_member_sees(
    auth0, client, reach, expected, described
):
    response = client.post("/staff/new/", form_data(role="Viewer", **reach))
    assert response.status_code == 302

    assert listed_orgs(sign_in("ana", PASSWORD)) == expected


def test_a_weak_password_is_refused_and_the_typed_values_are_kept(auth0, client):
    response = client.post(
        "/staff/new/", form_data(password="qwerty", organization_rule="plan=pro")
    )

    assert response.status_code == 200
    errors = form_error(response)
    assert "This password is too short." in errors
    assert "This password is too common." in errors
    body = text(response)
    assert 'name="username" value="ana"' in body
    assert 'name="email" value="ana@staff.example.com"' in body
    assert '<option value="Support" selected>Support</option>' in body
    assert f"{GLOBEX}\n{INITECH}, {GLOBEX}</textarea>" in body
    assert 'name="organization_rule" value="plan=pro"' in body
    assert f'name="auth0_user_id" value="{USER_IDS["ana"]}"' in body
    assert 'name="is_active" id="id_is_active" checked' in body
    password_input = re.search(r'<input type="password" name="password"[^>]*>', body)[0]
    assert "value=" not in password_input
    assert not User.objects.filter(username="ana").exists()
    assert staff_events() == []


def test_a_password_like_the_username_is_refused(auth0, client):
    response = client.post(
        "/staff/new/",
        form_data(username="maximilian.schwarz", password="maximilian.schwarz"),
    )

    assert response.status_code == 200
    assert "The password is too similar to the username." in form_error(response)
    assert not User.objects.filter(username="maximilian.schwarz").exists()


def test_a_numeric_password_is_refused(auth0, client):
    response = client.post("/staff/new/", form_data(password="83920174638291"))

    assert "This password is entirely numeric." in form_error(response)
    assert not User.objects.filter(username="ana").exists()


def test_without_a_password_the_account_is_single_sign_on_only(auth0, client):
    response = client.post("/staff/new/", form_data(password=""))

    assert response.status_code == 302
    ana = User.objects.get(username="ana")
    assert not ana.has_usable_password()
    assert "password set" not in staff_events()[0].message
    refused = Client().post("/login/", {"username": "ana", "password": ""})
    assert refused.status_code == 200


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        (
            {"organization_ids": f"acme, {GLOBEX}\norg_"},
            "Not organization ids: acme, org_",
        ),
        ({"organization_ids": "org_Acme000000000001; drop table"}, "Not organization ids"),
        ({"organization_rule": "region"}, "Write the rule as key=value, comma-separated."),
        ({"organization_rule": "=eu"}, "Write the rule as key=value, comma-separated."),
        ({"organization_rule": "region=eu,,plan=pro"}, "Write the rule as key=value"),
        ({"auth0_user_id": "ana"}, "An Auth0 user id looks like provider|id."),
        ({"username": "ana lee"}, "Use letters, digits and @ . + - _ only."),
        ({"role": "Owner"}, "Select a valid choice."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"username": ""}, "This field is required."),
    ],
)
def test_invalid_input_is_refused_with_a_message(auth0, client, changes, field_error):
    response = client.post("/staff/new/", form_data(**changes))

    assert response.status_code == 200
    assert field_error in form_error(response)
    assert User.objects.count() == 1  # only the signed-in Admin
    assert staff_events() == []


def test_a_duplicate_username_is_refused_whatever_its_case(auth0, client, make_staff):
    sam = make_staff("sam", role="Viewer", all_organizations=False, organization_ids=[ACME])

    response = client.post("/staff/new/", form_data(username="SAM", role="Admin"))

    assert response.status_code == 200
    assert "There is already a staff account named SAM." in form_error(response)
    sam.refresh_from_db()
    assert role_of(sam) == "Viewer"
    assert StaffAccess.objects.get(user=sam).organization_ids == [ACME]
    assert sam.check_password("staff-password-for-tests")
    assert User.objects.filter(username__iexact="sam").count() == 1
    assert staff_events() == []


def test_a_username_is_kept_as_sign_in_reads_it(auth0, client, make_staff):
    """Full-width "ｓａｍ" is sam to Django's sign-in form (NFKC): the same account."""
    make_staff("sam", role="Viewer")

    response = client.post("/staff/new/", form_data(username="ｓａｍ", role="Admin"))

    assert "There is already a staff account named sam." in form_error(response)
    assert User.objects.count() == 2  # the signed-in Admin and sam
    assert client.post("/staff/new/", form_data(username="ｂｏｂ")).status_code == 302
    assert User.objects.filter(username="bob").exists()
    assert sign_in("ｂｏｂ", PASSWORD)


def test_at_most_500_organizations_are_listed_by_id(auth0, client):
    many = "\n".join(f"org_{i:016d}" for i in range(501))

    response = client.post("/staff/new/", form_data(organization_ids=many))

    assert response.status_code == 200
    assert "List at most 500 organizations; a metadata rule reaches more." in form_error(response)
    assert staff_events() == []
    five_hundred = "\n".join(f"org_{i:016d}" for i in range(500))
    assert client.post("/staff/new/", form_data(organization_ids=five_hundred)).status_code == 302


def test_the_record_of_a_long_list_change_keeps_every_field(auth0, client):
    many = "\n".join(f"org_{i:016d}" for i in range(60))
    assert client.post("/staff/new/", form_data(role="Viewer")).status_code == 302
    ana = User.objects.get(username="ana")

    changed = form_data(role="Admin", organization_ids=many, organization_rule="region=eu")
    assert client.post(f"/staff/{ana.pk}/", changed).status_code == 302

    message = staff_events()[0].message  # the newest first
    assert "role: Viewer → Admin" in message and "organization_rule:  → region=eu" in message
    assert "org_0000000000000059" in message


# --- editing -----------------------------------------------------------------------------------


@pytest.fixture
def ana(client):
    assert client.post("/staff/new/", form_data()).status_code == 302
    return User.objects.get(username="ana")


def test_the_edit_form_shows_the_current_values(auth0, client, ana):
    response = client.get(f"/staff/{ana.pk}/")

    assert response.status_code == 200
    body = text(response)
    assert "<h1>ana</h1>" in body
    assert re.search(r'name="username" value="ana"[^>]* disabled', body)
    assert '<option value="Support" selected>Support</option>' in body
    assert f"{GLOBEX}\n{INITECH}</textarea>" in body
    assert f'name="auth0_user_id" value="{USER_IDS["ana"]}"' in body
    assert PASSWORD not in body


def test_editing_changes_role_and_reach_keeps_the_password_and_is_audited(auth0, client, ana):
    response = client.post(
        f"/staff/{ana.pk}/",
        form_data(
            username="someone-else",  # disabled: ignored
            role="Viewer",
            organization_ids="",
            organization_rule="region=eu",
            password="",
        ),
    )

    assert response.status_code == 302
    ana.refresh_from_db()
    assert ana.username == "ana"
    assert not User.objects.filter(username="someone-else").exists()
    assert list(ana.groups.values_list("name", flat=True)) == ["Viewer"]
    access = StaffAccess.objects.get(user=ana)
    assert access.organization_ids == []
    assert access.organization_rule == "region=eu"
    assert ana.check_password(PASSWORD)
    changed = staff_events()[0]  # newest first
    assert changed.message == (
        f"Changed organization_ids: {GLOBEX}\n{INITECH} → , "
        "organization_rule:  → region=eu, role: Support → Viewer"
    )
    assert changed.targets == [{"user_id": "staff:ana", "label": "ana"}]
    assert len(staff_events()) == 2

    viewer = sign_in("ana", PASSWORD)
    assert listed_orgs(viewer) == [GLOBEX, INITECH]


def test_a_new_password_replaces_the_old_and_is_never_recorded(auth0, client, ana):
    new = "lantern-quarry-basil-77"

    assert client.post(f"/staff/{ana.pk}/", form_data(password=new)).status_code == 302

    ana.refresh_from_db()
    assert ana.check_password(new)
    assert not ana.check_password(PASSWORD)
    assert staff_events()[0].message.endswith("; password set")
    for stored in AuditEvent.objects.values():
        assert new not in str(stored) and PASSWORD not in str(stored)


def test_deactivating_a_staff_member_stops_their_sign_in(auth0, client, ana):
    assert (
        client.post(f"/staff/{ana.pk}/", form_data(is_active=None, password="")).status_code == 302
    )

    ana.refresh_from_db()
    assert not ana.is_active
    assert "is_active: True → False" in staff_events()[0].message
    assert "ana</a> (inactive)" in text(client.get("/staff/"))
    refused = Client().post("/login/", {"username": "ana", "password": PASSWORD})
    assert refused.status_code == 200


def test_editing_an_unknown_staff_member_is_404(client):
    assert client.get("/staff/9999/").status_code == 404
    assert client.post("/staff/9999/", form_data()).status_code == 404


@pytest.mark.parametrize("changes", [{"role": "Support"}, {"role": "Viewer"}, {"is_active": None}])
def test_an_admin_cannot_demote_or_deactivate_themselves(auth0, client, admin_staff, changes):
    data = {"role": "Admin", "password": "", "all_organizations": "on", **changes}
    own = {"email": None, "auth0_user_id": None}  # read-only: a browser does not send them
    response = client.post(f"/staff/{admin_staff.pk}/", form_data(**data, **own))

    assert response.status_code == 200
    assert "You cannot take away your own Admin role or deactivate yourself." in form_error(
        response
    )
    admin_staff.refresh_from_db()
    assert admin_staff.is_active
    assert role_of(admin_staff) == "Admin"
    assert staff_events() == []


def test_an_admin_cannot_limit_their_own_reach(auth0, client, admin_staff):
    own = {"email": None, "auth0_user_id": None}
    data = form_data(role="Admin", password="", organization_ids=ACME, **own)

    response = client.post(f"/staff/{admin_staff.pk}/", data)

    assert response.status_code == 200
    assert "You cannot limit your own reach: managing staff needs all organizations." in (
        form_error(response)
    )
    assert StaffAccess.objects.get(user=admin_staff).all_organizations
    assert client.get("/staff/").status_code == 200
    assert staff_events() == []


def test_a_save_over_someone_elses_change_is_refused(auth0, client, ana, make_staff):
    opened = re.search(r'name="fingerprint" value="(\w+)"', text(client.get(f"/staff/{ana.pk}/")))
    assert opened
    other = Client()
    other.force_login(make_staff("other-admin"))
    assert other.post(f"/staff/{ana.pk}/", form_data(role="Viewer", password="")).status_code == 302

    stale = form_data(role="Support", organization_ids=ACME, password="", fingerprint=opened[1])
    response = client.post(f"/staff/{ana.pk}/", stale)

    assert response.status_code == 200
    assert "Someone else changed this account since you opened it" in form_error(response)
    assert role_of(ana) == "Viewer"
    assert [e.staff_username for e in staff_events()] == ["other-admin", "admin"]


def test_an_admin_may_still_edit_their_own_other_details(auth0, client, admin_staff):
    response = client.post(
        f"/staff/{admin_staff.pk}/",
        form_data(
            role="Admin",
            email=None,  # read-only on one's own record: a browser does not send them
            organization_ids=GLOBEX,
            all_organizations="on",
            auth0_user_id=None,
        ),
    )

    assert response.status_code == 302
    admin_staff.refresh_from_db()
    assert admin_staff.email == "admin@staff.example.com"
    assert admin_staff.check_password(PASSWORD)
    assert admin_staff.staff_access.organization_ids == [GLOBEX]
    assert staff_events()[0].message.startswith("Changed organization_ids:  → ")


# --- one's own identity: the fields that name one's own Auth0 user -----------------------------

OWN = USER_IDS["ana"]


@pytest.fixture
def admin_as_ana(make_staff):
    """An Admin whose own Auth0 user is Ana (by id and by e-mail address)."""
    return make_staff("boss", auth0_user_id=OWN, email="ana.lee@acme.example.com")


def own_record(browser: Client, person) -> str:  # type: ignore[no-untyped-def]
    response = browser.get(f"/staff/{person.pk}/")
    assert response.status_code == 200
    return text(response)


def test_ones_own_identity_fields_are_read_only_with_the_reason(auth0, admin_as_ana, make_staff):
    browser = Client()
    browser.force_login(admin_as_ana)

    mine = own_record(browser, admin_as_ana)
    someone_elses = own_record(browser, make_staff("otto"))

    for name in ("email", "auth0_user_id"):
        assert re.search(rf'<input [^>]*name="{name}"[^>]* disabled', mine)
        assert not re.search(rf'<input [^>]*name="{name}"[^>]* disabled', someone_elses)
    assert f'name="auth0_user_id" value="{OWN}"' in mine
    assert OWN_IDENTITY_HELP in html.unescape(mine)
    assert OWN_IDENTITY_HELP not in html.unescape(someone_elses)


@pytest.mark.parametrize(
    "forged",
    [
        {"auth0_user_id": "", "email": "someone@else.example.com"},  # the bypass
        {"auth0_user_id": ""},
        {"auth0_user_id": "auth0|somebodyelse"},
        {"email": "someone@else.example.com"},
        {"email": ""},
    ],
)
def test_a_forged_post_cannot_change_ones_own_identity(auth0, admin_as_ana, forged):
    browser = Client()
    browser.force_login(admin_as_ana)
    data = {"username": "boss", "role": "Admin", "all_organizations": "on", "password": ""}
    data |= {"email": "ana.lee@acme.example.com", "auth0_user_id": OWN, **forged}

    response = browser.post(f"/staff/{admin_as_ana.pk}/", form_data(**data))

    assert response.status_code == 403
    assert form_error(response) == OWN_IDENTITY_REFUSED
    admin_as_ana.refresh_from_db()
    assert admin_as_ana.email == "ana.lee@acme.example.com"
    assert admin_as_ana.staff_access.auth0_user_id == OWN
    assert staff_events() == []
    with pytest.raises(GuardrailRefused, match="is your own Auth0 user"):  # still themselves
        services.member_roles_assign(
            actor=admin_as_ana, org_id=ACME, user_id=OWN, role_ids=[ROLE_IDS["viewer"]]
        )


def test_another_admin_may_change_someones_identity(auth0, client, admin_as_ana):
    response = client.post(
        f"/staff/{admin_as_ana.pk}/",
        form_data(
            username="boss",
            role="Admin",
            all_organizations="on",
            email="boss@staff.example.com",
            auth0_user_id="",
            password="",
        ),
    )

    assert response.status_code == 302
    admin_as_ana.refresh_from_db()
    assert admin_as_ana.email == "boss@staff.example.com"
    assert admin_as_ana.staff_access.auth0_user_id == ""


def test_a_superuser_may_change_their_own_identity(auth0, admin_as_ana):
    make_superuser(admin_as_ana)
    browser = Client()
    browser.force_login(admin_as_ana)

    assert 'name="email"' in own_record(browser, admin_as_ana)
    assert OWN_IDENTITY_HELP not in html.unescape(own_record(browser, admin_as_ana))
    response = browser.post(
        f"/staff/{admin_as_ana.pk}/",
        form_data(username="boss", role="Admin", all_organizations="on", email="root@x.example")
        | {"auth0_user_id": "", "password": ""},
    )

    assert response.status_code == 302
    admin_as_ana.refresh_from_db()
    assert admin_as_ana.email == "root@x.example"


def test_an_admin_may_demote_another_admin(auth0, client, make_staff):
    other = make_staff("otto")

    response = client.post(
        f"/staff/{other.pk}/", form_data(role="Support", all_organizations="on", password="")
    )

    assert response.status_code == 302
    assert role_of(other) == "Support"
    assert "role: Admin → Support" in staff_events()[0].message


def test_staff_changes_show_on_the_admins_activity_page_only(auth0, client, ana, make_staff):
    body = text(client.get("/activity/?action=staff_change"))
    assert 'data-label="Action">Change staff access' in body
    assert '<td data-label="Who"><div>ana ' in body

    support = Client()
    support.force_login(make_staff("sam", role="Support"))
    assert 'data-label="Action">Change staff access' not in text(support.get("/activity/"))


def test_a_scoped_admin_cannot_manage_staff_and_does_not_see_the_staff_link(auth0, make_staff):
    scoped = make_staff("scoped-admin", "Admin", all_organizations=False, organization_ids=[GLOBEX])
    browser = Client()
    browser.force_login(scoped)

    response = browser.post("/staff/new/", form_data(username="escalated", all_organizations="on"))

    assert response.status_code == 403
    assert (
        "Only an Admin who reaches every organization may manage staff" in response.content.decode()
    )
    assert not get_user_model().objects.filter(username="escalated").exists()
    assert 'href="/staff/"' not in browser.get("/activity/").content.decode()


def test_saving_without_changes_is_recorded_as_changing_nothing(auth0, client, make_staff):
    ana = make_staff("ana", "Viewer", all_organizations=False, organization_ids=[GLOBEX])
    same = form_data(
        username="ana",
        email=ana.email,
        role="Viewer",
        organization_ids=GLOBEX,
        auth0_user_id="",
        password="",
    )
    assert client.post(f"/staff/{ana.pk}/", same).status_code == 302
    assert AuditEvent.objects.get(action="staff_change").message == "Changed nothing"


def make_superuser(user) -> None:  # type: ignore[no-untyped-def]
    user.is_superuser = True
    user.save()


def make_django_admin_user(user) -> None:  # type: ignore[no-untyped-def]
    user.is_staff = True
    user.save()


@pytest.mark.parametrize("privilege", [make_superuser, make_django_admin_user])
def test_an_admin_cannot_take_over_superuser_or_django_admin_accounts(
    auth0, client, make_staff, privilege
):
    """Regression: an Admin could set a superuser's password or e-mail address on the Staff
    page, then sign in as them."""
    root = make_staff("root", email="root@staff.example.com")
    privilege(root)
    takeover = form_data(
        username="root", role="Admin", all_organizations="on", email="mine@evil.example.com"
    )

    page = client.get(f"/staff/{root.pk}/")
    response = client.post(f"/staff/{root.pk}/", takeover)

    for refused in (page, response):
        assert refused.status_code == 403
        assert "root is a superuser or may use Django admin: only a superuser may change" in (
            text(refused)
        )
    root.refresh_from_db()
    assert root.check_password("staff-password-for-tests") and not root.check_password(PASSWORD)
    assert root.email == "root@staff.example.com"
    assert staff_events() == []
    listing = text(client.get("/staff/"))
    assert f'href="/staff/{root.pk}/"' not in listing
    assert 'root <span class="muted">(superusers only)</span>' in listing


def test_a_superuser_may_edit_superuser_and_django_admin_accounts(auth0, make_staff):
    superuser = make_staff("chief")
    make_superuser(superuser)
    root = make_staff("root")
    make_django_admin_user(root)
    browser = Client()
    browser.force_login(superuser)

    assert f'href="/staff/{root.pk}/"' in text(browser.get("/staff/"))
    response = browser.post(
        f"/staff/{root.pk}/", form_data(username="root", role="Viewer", all_organizations="on")
    )

    assert response.status_code == 302
    root.refresh_from_db()
    assert root.check_password(PASSWORD)
    assert role_of(root) == "Viewer"
