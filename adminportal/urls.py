from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("orgs.urls")),
]

# A request Django refuses (too many form values, too large) gets a message, not a bare 400.
handler400 = "orgs.views.pages.bad_request"
