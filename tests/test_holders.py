"""adminportal's index of protected-role holders (orgs.holders): how it is kept, and why an
index that is out of date may refuse a change but never lets the last holder go."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command

from orgs import holders, services
from orgs.auth0_mgmt import Role
from orgs.models import HolderIndexState, ProtectedRoleHolder
from orgs.selectors import ListedPage
from orgs.staff.guardrails import GuardrailRefused
from tests.seeds import ORG_IDS, ROLE_IDS, USER_IDS
from tests.view_helpers import bigger_seed

ACME = ORG_IDS["acme"]
ANA, BEN = USER_IDS["ana"], USER_IDS["ben"]
OWNER = ROLE_IDS["org-owner"]


def indexed(org_id: str = ACME) -> set[tuple[str, str]]:
    return set(ProtectedRoleHolder.objects.filter(org_id=org_id).values_list("user_id", "role_id"))


def remove_owner(actor, user_id: str = ANA):
    return services.member_roles_remove(actor=actor, org_id=ACME, user_id=user_id, role_ids=[OWNER])


def outside_adminportal(api, method: str, user_id: str) -> None:
    """Someone changes the role in the Auth0 Dashboard."""
    response = api(
        method, f"/organizations/{ACME}/members/{user_id}/roles", json={"roles": [OWNER]}
    )
    assert response.status_code == 204


def test_a_small_organization_is_indexed_with_its_first_page(auth0, admin_staff):
    auth0.clear_requests()
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        remove_owner(admin_staff)
    assert indexed() == {(ANA, OWNER)}
    assert HolderIndexState.objects.get(org_id=ACME).members_seen == 3
    pages = [r for r in auth0.api_requests() if r["path"].endswith(f"{ACME}/members")]
    assert len(pages) == 1


def test_a_large_organization_is_read_in_the_background_first(
    auth0, admin_staff, settings, monkeypatch
):
    auth0.reset(seed=bigger_seed(extra_acme_members=150))
    settings.ADMINPORTAL_BACKGROUND_INLINE = False
    started = []
    monkeypatch.setattr(holders, "run_later", lambda key, job: started.append((key, job)))

    with pytest.raises(GuardrailRefused, match="still reading who holds org-owner"):
        remove_owner(admin_staff)
    assert [key for key, _ in started] == [f"reconcile-holders:{ACME}"]

    started[0][1]()  # the background walk ends
    assert HolderIndexState.objects.get(org_id=ACME).members_seen == 153
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        remove_owner(admin_staff)  # now decided, and rightly: Ana is the only one


def test_while_the_walk_runs_its_first_page_is_not_read_again(auth0, admin_staff, settings):
    auth0.reset(seed=bigger_seed(extra_acme_members=150))
    settings.ADMINPORTAL_BACKGROUND_INLINE = False
    cache.add(f"adminportal:job:reconcile-holders:{ACME}", True, 60)  # a worker is walking
    auth0.clear_requests()

    with pytest.raises(GuardrailRefused, match="still reading who holds org-owner"):
        remove_owner(admin_staff)

    assert not [r for r in auth0.api_requests() if r["path"].endswith(f"{ACME}/members")]


def test_adminportals_own_writes_keep_the_index(auth0, admin_staff):
    holders.reconcile(ACME)
    services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[OWNER])
    assert indexed() == {(ANA, OWNER), (BEN, OWNER)}
    remove_owner(admin_staff)  # Ben holds it too: allowed
    assert indexed() == {(BEN, OWNER)}
    services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=ANA, role_ids=[OWNER])
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)
    assert indexed() == {(ANA, OWNER)}


def test_a_candidate_who_lost_the_role_outside_adminportal_does_not_count(auth0, admin_staff, api):
    services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[OWNER])
    holders.reconcile(ACME)
    outside_adminportal(api, "DELETE", BEN)  # the index still names Ben

    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        remove_owner(admin_staff)
    assert indexed() == {(ANA, OWNER)}  # what Auth0 said of Ben is kept


def test_a_holder_given_the_role_outside_adminportal_counts_after_the_next_walk(
    auth0, admin_staff, api
):
    holders.reconcile(ACME)
    outside_adminportal(api, "POST", BEN)

    with pytest.raises(GuardrailRefused):
        remove_owner(admin_staff)  # unknown to the index yet: refused, never wrongly allowed
    call_command("reconcile_protected_roles", ACME)
    remove_owner(admin_staff)


def test_a_members_page_that_shows_a_holder_adds_them(auth0, admin_staff, client, api):
    holders.reconcile(ACME)
    outside_adminportal(api, "POST", BEN)
    assert client.get(f"/organizations/{ACME}/").status_code == 200
    assert indexed() == {(ANA, OWNER), (BEN, OWNER)}
    remove_owner(admin_staff)


def test_a_removed_member_still_listed_is_not_added_back(auth0, admin_staff, client):
    auth0.call("POST", "consistency", {"member_removal_lag": 10})
    services.member_roles_assign(actor=admin_staff, org_id=ACME, user_id=BEN, role_ids=[OWNER])
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=BEN)

    page = client.get(f"/organizations/{ACME}/")  # Auth0 still lists Ben, as an org-owner
    assert BEN in page.content.decode()
    assert indexed() == {(ANA, OWNER)}
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        remove_owner(admin_staff)


def test_an_old_index_is_read_again_in_the_background(auth0, admin_staff, monkeypatch):
    holders.reconcile(ACME)
    HolderIndexState.objects.filter(org_id=ACME).update(
        reconciled_at=HolderIndexState.objects.get().reconciled_at - timedelta(hours=1)
    )
    started = []
    monkeypatch.setattr(holders, "run_later", lambda key, job: started.append(key))
    with pytest.raises(GuardrailRefused, match="without anyone holding"):
        remove_owner(admin_staff)  # decided with the index there is
    assert started == [f"reconcile-holders:{ACME}"]


def test_role_names_are_compared_as_people_read_them(settings):
    settings.PROTECTED_ROLES = ["Org-Owner"]
    roles = [
        Role(id="rol_1", name="org-owner "),
        Role(id="rol_2", name="ＯＲＧ-owner"),
        Role(id="rol_3", name="org-owners"),
    ]
    assert set(holders.protected_of(roles)) == {"rol_1", "rol_2"}


def test_a_refused_removal_of_every_owner_leaves_them_in_the_index(auth0, admin_staff, api):
    """The members page the refused removal reads (the whole organization) indexes it, with
    the members that removal was about to remove: it was refused, they are still holders."""
    outside_adminportal(api, "POST", BEN)  # Ben is an owner too
    assert not holders.indexed(ACME)
    with pytest.raises(GuardrailRefused, match="without anyone holding org-owner"):
        services.members_remove(
            actor=admin_staff, org_id=ACME, user_ids=[ANA, BEN], page=ListedPage(None, 50)
        )

    assert indexed() == {(ANA, OWNER), (BEN, OWNER)}
    services.member_remove(actor=admin_staff, org_id=ACME, user_id=ANA)  # Ben still holds it
