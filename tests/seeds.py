"""A small, fixed tenant for tests: three organizations, a handful of users and roles, and
names chosen to catch escaping bugs."""

from __future__ import annotations

from typing import Any

from emulator.seeds import ALL_SCOPES, DEMO_CLIENTS

ROLE_IDS = {
    "org-owner": "rol_OrgOwner00000001",
    "org-admin": "rol_OrgAdmin00000001",
    "support-agent": "rol_SupportAgent0001",
    "billing-admin": "rol_BillingAdmin0001",
    "viewer": "rol_Viewer0000000001",
    "tenant-admin": "rol_TenantAdmin00001",
    "beta-tester": "rol_BetaTester000001",
}
ORG_IDS = {
    "acme": "org_Acme000000000001",
    "globex": "org_Globex0000000001",
    "initech": "org_Initech000000001",
}
USER_IDS = {
    "ana": "auth0|ana0000000000000000000001",
    "ben": "auth0|ben0000000000000000000001",
    "chloe": "auth0|chl0000000000000000000001",
    "dmitri": "auth0|dmi0000000000000000000001",
    "eve": "auth0|eve0000000000000000000001",
    "mallory": "auth0|mal0000000000000000000001",
    "loner": "auth0|lon0000000000000000000001",
}


SSO_CLIENT_ID = "adminportal-sso"
SSO_CLIENT_SECRET = "sso-client-secret"
ANA_PASSWORD = "correct horse battery staple"
STAFF_ROLE_CLAIM = "https://adminportal.example.com/staff_role"
STAFF_ORGANIZATIONS_CLAIM = "https://adminportal.example.com/organizations"


def user(key: str, name: str, email: str) -> dict[str, Any]:
    return {
        "user_id": USER_IDS[key],
        "email": email,
        "name": name,
        "email_verified": True,
        "picture": f"https://cdn.auth0.com/avatars/{key[:2]}.png",
    }


def small_seed() -> dict[str, Any]:
    return {
        "clients": [
            *DEMO_CLIENTS,
            {"client_id": "all-scopes", "client_secret": "all-scopes-secret", "scopes": ALL_SCOPES},
            {"client_id": SSO_CLIENT_ID, "client_secret": SSO_CLIENT_SECRET, "scopes": []},
        ],
        "roles": [
            {"id": role_id, "name": name, "description": f"The {name} role"}
            for name, role_id in ROLE_IDS.items()
        ],
        "users": [
            {
                **user("ana", "Ana Lee", "ana.lee@acme.example.com"),
                "password": ANA_PASSWORD,
                "claims": {
                    STAFF_ROLE_CLAIM: "support",
                    STAFF_ORGANIZATIONS_CLAIM: [ORG_IDS["globex"]],
                },
            },
            user("ben", "Ben Okafor", "ben.okafor@acme.example.com"),
            user("chloe", "Chloé García", "chloe@globex.example.com"),
            user("dmitri", "Dmitri Novak", "dmitri@globex.example.com"),
            user("eve", "Eve Schmidt", "eve@initech.example.com"),
            user("mallory", '<script>alert("x")</script> Mallory', "mallory@evil.example.com"),
            user("loner", "Lone Ranger", "loner@example.com"),
        ],
        "organizations": [
            {
                "id": ORG_IDS["acme"],
                "name": "acme",
                "display_name": "Acme Corporation",
                "metadata": {"region": "us"},
                "members": [
                    {"user_id": USER_IDS["ana"], "roles": [ROLE_IDS["org-owner"]]},
                    {
                        "user_id": USER_IDS["ben"],
                        "roles": [ROLE_IDS["support-agent"], ROLE_IDS["billing-admin"]],
                    },
                    {"user_id": USER_IDS["mallory"], "roles": []},
                ],
            },
            {
                "id": ORG_IDS["globex"],
                "name": "globex",
                "display_name": "Globex <b>&amp;</b> Partners",
                "metadata": {"region": "eu"},
                "members": [
                    {"user_id": USER_IDS["chloe"], "roles": [ROLE_IDS["org-admin"]]},
                    {"user_id": USER_IDS["dmitri"], "roles": []},
                    {"user_id": USER_IDS["ana"], "roles": [ROLE_IDS["viewer"]]},
                ],
            },
            {
                "id": ORG_IDS["initech"],
                "name": "initech",
                "display_name": "Initech",
                "metadata": {"region": "eu"},
                "members": [{"user_id": USER_IDS["eve"], "roles": [ROLE_IDS["org-owner"]]}],
            },
        ],
        "user_roles": {
            USER_IDS["ana"]: [ROLE_IDS["tenant-admin"], ROLE_IDS["beta-tester"]],
            USER_IDS["eve"]: [ROLE_IDS["beta-tester"]],
        },
    }
