from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from orgs.staff.sso import only_with_sso

urlpatterns = [
    path("admin/", admin.site.urls),
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "oidc/authenticate/",
        login_not_required(only_with_sso(OIDCAuthenticationRequestView.as_view())),
        name="oidc_authentication_init",
    ),
    path(
        "oidc/callback/",
        login_not_required(only_with_sso(OIDCAuthenticationCallbackView.as_view())),
        name="oidc_authentication_callback",
    ),
    # static/js/app.js's words in the active language (locale/*/LC_MESSAGES/djangojs.po); the
    # sign-in page needs them too.
    path(
        "jsi18n/",
        login_not_required(JavaScriptCatalog.as_view(packages=["orgs"])),
        name="javascript-catalog",
    ),
    path("", include("orgs.urls")),
]

# A request Django refuses (too many form values, too large) gets a message, not a bare 400.
handler400 = "orgs.views.pages.bad_request"
