"""Single sign-on for staff through OpenID Connect (the Auth0 tenant itself by default), with
mozilla-django-oidc. The staff role and reach may come from token claims:

    OIDC_STAFF_ROLE_CLAIM        "viewer" | "support" | "admin"
    OIDC_ORGANIZATIONS_CLAIM     ["org_…", …] or ["*"] for every organization
    OIDC_ORGANIZATION_RULE_CLAIM "region=eu"

Someone without a role claim signs in only if an Admin created their staff account (matched by
subject, or by verified e-mail on their first sign-in); nobody is created without a role.

The provider is the tenant adminportal manages, so anyone may hold an e-mail address there equal
to a staff member's. An e-mail address therefore links only an account an Admin prepared for
single sign-on: no usable password, not a superuser or Django-admin user, not linked to another
subject yet. A deactivated account stays locked out, whichever way it would match.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from ..models import StaffAccess
from .access import ROLES, set_role

log = logging.getLogger(__name__)

DEACTIVATED = gettext_lazy(
    "Single sign-on did not sign you in: your adminportal account is deactivated. "
    "Ask an adminportal Admin to reactivate it."
)


class StaffOIDCBackend(OIDCAuthenticationBackend):
    def authenticate(self, request, **kwargs: Any):
        """A sign-in the provider or its tokens fail (wrong client secret, provider down, an ID
        token that is expired, forged or from another issuer) signs nobody in: the callback
        then sends them to the login page with "sso=failed" instead of an error page."""
        try:
            return super().authenticate(request, **kwargs)
        except (requests.RequestException, jwt.PyJWTError, SuspiciousOperation) as exc:
            log.warning("SSO sign-in failed: %s", exc)
            return None

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued to another application.")
        issuer = settings.OIDC_OP_ISSUER
        if not issuer:
            log.error("SSO sign-in refused: OIDC_OP_ISSUER is not set, so no issuer is trusted.")
            raise SuspiciousOperation("No OIDC issuer is configured.")
        if payload.get("iss") != issuer:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict) -> dict[str, Any]:
        """The verified ID token's claims (custom claims included) plus /userinfo."""
        return {**payload, **super().get_userinfo(access_token, id_token, payload)}

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("sub") or not claims.get("email"):
            return False
        return bool(claims.get("email_verified")) or not settings.OIDC_REQUIRE_VERIFIED_EMAIL

    def filter_users_by_claims(self, claims: dict[str, Any]):
        """The account linked to the subject, else the accounts the e-mail address may link.
        Inactive ones included: update_user refuses them, rather than a new account being
        created from the claims."""
        users = get_user_model().objects.all()
        by_subject = users.filter(staff_access__oidc_subject=claims["sub"])
        if by_subject.exists():
            return by_subject
        return linkable_by_email(claims["email"])

    def get_user(self, user_id: int):
        """A session signed in with single sign-on ends once the account is deactivated (as
        ModelBackend does for password sessions)."""
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def get_username(self, claims: dict[str, Any]) -> str:
        """The e-mail address (what staff and the audit trail recognise), made unique."""
        email = str(claims["email"]).lower()[:150]
        if not get_user_model().objects.filter(username=email).exists():
            return email
        digest = hashlib.sha256(str(claims["sub"]).encode()).hexdigest()[:8]
        return f"{email[:141]}-{digest}"

    def create_user(self, claims: dict[str, Any]):
        role = _role_claim(claims)
        if role is None:
            log.warning("SSO sign-in refused for %s: no staff role claim", claims.get("email"))
            return None
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                username=self.get_username(claims), email=claims["email"]
            )
            user.set_unusable_password()
            user.save()
            StaffAccess.objects.create(user=user)
            self.update_user(user, claims)
        return user

    def update_user(self, user, claims: dict[str, Any]):
        if not user.is_active:
            log.warning("SSO sign-in refused for %s: the account is deactivated", user)
            messages.error(self.request, DEACTIVATED)
            return None
        access, _ = StaffAccess.objects.get_or_create(user=user)
        access.oidc_subject = claims["sub"]
        if not access.auth0_user_id and settings.OIDC_PROVIDER_IS_TENANT:
            access.auth0_user_id = claims["sub"]  # the staff member's own Auth0 user
        organizations = claims.get(settings.OIDC_ORGANIZATIONS_CLAIM)
        if isinstance(organizations, list):
            access.all_organizations = "*" in organizations
            access.organization_ids = [str(o) for o in organizations if o != "*"]
        rule = claims.get(settings.OIDC_ORGANIZATION_RULE_CLAIM)
        if isinstance(rule, str):
            access.organization_rule = rule[:200]
        access.save()
        role = _role_claim(claims)
        if role is not None:
            set_role(user, role)
        return user


def linkable_by_email(email: str):
    """Accounts an Admin prepared for single sign-on with this e-mail address (create_staff
    --sso-only, or the Staff page without a password), not linked to a subject yet. Never a
    superuser, a Django-admin user or an account with a usable password: anyone in the tenant
    may hold a staff member's e-mail address."""
    return (
        get_user_model()
        .objects.filter(
            email__iexact=email,
            is_superuser=False,
            is_staff=False,
            password__startswith=UNUSABLE_PASSWORD_PREFIX,
        )
        .exclude(staff_access__oidc_subject__gt="")
    )


def is_not_a_password_sign_in(request: Any, credentials: dict[str, Any] | None) -> bool:
    """AXES_WHITELIST_CALLABLE: django-axes throttles password guessing only. A single sign-on
    callback (credentials without a username) is not a guess, the provider throttles its own
    login page, and counting its failures under a blank username would lock everyone behind the
    same address out of single sign-on after a few refused sign-ins."""
    return credentials is not None and not credentials.get("username")


def _role_claim(claims: dict[str, Any]) -> str | None:
    value = claims.get(settings.OIDC_STAFF_ROLE_CLAIM)
    if not isinstance(value, str):
        return None
    return next((role for role in ROLES if role.lower() == value.strip().lower()), None)


def only_with_sso(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The sign-in endpoints exist only while single sign-on is configured."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.SSO_ENABLED:
            raise Http404("Single sign-on is not configured.")
        return view(request, *args, **kwargs)

    return guarded
