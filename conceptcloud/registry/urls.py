from django.urls import path

from conceptcloud.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("assets/", views.asset_list, name="asset_list"),
    path("assets/new/", views.asset_create, name="asset_create"),
    path("assets/cpc-check/", views.cpc_check, name="cpc_check"),
    path("assets/<int:asset_id>/", views.asset_detail, name="asset_detail"),
    path("assets/<int:asset_id>/edit/", views.asset_edit, name="asset_edit"),
    path("assets/<int:asset_id>/status/", views.asset_status, name="asset_status"),
    path("assets/<int:asset_id>/attachments/", views.attachment_add, name="attachment_add"),
    path(
        "assets/<int:asset_id>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "assets/<int:asset_id>/attachments/<int:attachment_id>/remove/",
        views.attachment_remove,
        name="attachment_remove",
    ),
    path("assets/<int:asset_id>/access/", views.access_grant, name="access_grant"),
    path("assets/<int:asset_id>/access/revoke/", views.access_revoke, name="access_revoke"),
    path("assets/<int:asset_id>/versions/", views.asset_versions, name="asset_versions"),
    path("assets/<int:asset_id>/versions/<int:number>/", views.asset_version, name="asset_version"),
    path("log/entries/<int:seq>/receipt.json", views.entry_receipt, name="entry_receipt"),
    path("needs/", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:need_id>/", views.need_detail, name="need_detail"),
    path("needs/<int:need_id>/edit/", views.need_edit, name="need_edit"),
    path("needs/<int:need_id>/status/", views.need_status, name="need_status"),
]
