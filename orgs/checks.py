"""System checks: configuration adminportal refuses to run with."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

NO_ISSUER = Error(
    "Single sign-on is enabled (OIDC_RP_CLIENT_ID) but no issuer is configured.",
    hint="Set OIDC_OP_ISSUER (or AUTH0_DOMAIN, whose https://{AUTH0_DOMAIN}/ is the default): "
    "without it, ID tokens from any issuer would be trusted.",
    id="orgs.E001",
)


@register()
def sso_needs_an_issuer(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if getattr(settings, "SSO_ENABLED", False) and not getattr(settings, "OIDC_OP_ISSUER", ""):
        return [NO_ISSUER]
    return []
