from django.urls import path, register_converter

from . import views
from .ids import IdSegment

register_converter(IdSegment, "id")

app_name = "orgs"

# Ids are one path segment each, whatever they hold ("/", "..", "%"): see ids.IdSegment.
ORGANIZATION = "organizations/<id:org_id>/"
MEMBER = ORGANIZATION + "members/<id:user_id>/"
EVENT = ORGANIZATION + "activity/<int:event_id>/"
USER = "users/<id:user_id>/"

urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/jump/", views.organization_jump, name="organization_jump"),
    path(ORGANIZATION, views.organization_detail, name="organization_detail"),
    path(ORGANIZATION + "members/remove/", views.members_remove, name="members_remove"),
    path(MEMBER, views.member_detail, name="member_detail"),
    path(MEMBER + "remove/", views.member_remove, name="member_remove"),
    path(MEMBER + "roles/remove/", views.member_role_remove, name="member_role_remove"),
    path(ORGANIZATION + "roles/", views.role_holders, name="role_holders"),
    path(ORGANIZATION + "activity/", views.organization_activity, name="organization_activity"),
    path(EVENT + "restore/", views.members_restore, name="members_restore"),
    path("activity/", views.activity, name="activity"),
    path("language/", views.language, name="language"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("users/", views.user_list, name="user_list"),
    path(USER + "roles/remove/", views.user_role_remove, name="user_role_remove"),
    path(USER + "roles/", views.user_roles, name="user_roles"),
]
