from django.urls import path, register_converter

from . import views
from .ids import IdSegment

register_converter(IdSegment, "id")

app_name = "orgs"

# Ids are one path segment each, whatever they hold ("/", "..", "%"): see ids.IdSegment.
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/jump/", views.organization_jump, name="organization_jump"),
    path("organizations/<id:org_id>/", views.organization_detail, name="organization_detail"),
    path(
        "organizations/<id:org_id>/members/remove/",
        views.members_remove,
        name="members_remove",
    ),
    path(
        "organizations/<id:org_id>/members/<id:user_id>/roles/remove/",
        views.member_role_remove,
        name="member_role_remove",
    ),
    path(
        "organizations/<id:org_id>/members/<id:user_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path(
        "organizations/<id:org_id>/members/<id:user_id>/",
        views.member_detail,
        name="member_detail",
    ),
    path("organizations/<id:org_id>/roles/", views.role_holders, name="role_holders"),
    path(
        "organizations/<id:org_id>/activity/",
        views.organization_activity,
        name="organization_activity",
    ),
    path(
        "organizations/<id:org_id>/activity/<int:event_id>/restore/",
        views.members_restore,
        name="members_restore",
    ),
    path("activity/", views.activity, name="activity"),
    path("language/", views.language, name="language"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_edit, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/<id:user_id>/roles/remove/", views.user_role_remove, name="user_role_remove"),
    path("users/<id:user_id>/roles/", views.user_roles, name="user_roles"),
]
