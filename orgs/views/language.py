"""The dashboard's language, chosen by each staff member (kept on their StaffAccess, and in
Django's language cookie for the sign-in page); otherwise their browser's Accept-Language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ..htmx import HtmxHttpRequest
from ..models import StaffAccess

CHOICES = {"", *(code for code, _ in settings.LANGUAGES)}


@require_POST
def language(request: HtmxHttpRequest) -> HttpResponse:
    chosen = request.POST.get("language", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = reverse("orgs:organization_list")
    response = HttpResponseRedirect(back)
    if chosen not in CHOICES:
        return response  # nothing changes
    StaffAccess.objects.filter(user=request.user).update(language=chosen)
    if chosen:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            chosen,
            max_age=365 * 24 * 3600,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
