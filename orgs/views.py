from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    context = {"auth0_domain": settings.AUTH0_DOMAIN, "auth0_base_url": settings.AUTH0_BASE_URL}
    return TemplateResponse(request, "orgs/home.html", context)
