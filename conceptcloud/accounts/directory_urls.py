"""The people and organisation directory, mounted at the site root (namespace "directory")."""

from django.urls import path

from conceptcloud.accounts import views

app_name = "directory"
urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/members/", views.organisation_members, name="organisation_members"),
    path(
        "organisations/<slug:slug>/members/<str:username>/role/", views.membership_role, name="membership_role"
    ),
    path(
        "organisations/<slug:slug>/members/<str:username>/remove/", views.membership_remove, name="membership_remove"
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("organisations/<slug:slug>/leave/", views.organisation_leave, name="organisation_leave"),
    # No trailing slash: the e-mailed link is the accept address plus the secret.
    path("invitations/<str:token>", views.invitation_accept, name="invitation_accept"),
    path("people/", views.person_list, name="person_list"),
    path("people/<str:username>/", views.person_detail, name="person_detail"),
]
