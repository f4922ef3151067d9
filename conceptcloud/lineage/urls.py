"""The lineage pages, mounted at the site root (namespace "lineage")."""

from django.urls import path

from conceptcloud.lineage import views

app_name = "lineage"
urlpatterns = [
    path("assets/<int:asset_id>/build-on/", views.build_on, name="build_on"),
    path("assets/<int:asset_id>/contributors/", views.contributors, name="contributors"),
    path("assets/<int:asset_id>/prov/<slug:format>/", views.asset_prov, name="asset_prov"),
    path("assets/<int:asset_id>/terms/", views.terms, name="terms"),
    path("assets/<int:asset_id>/parents/", views.parent_add, name="parent_add"),
    path("share-proposals/<int:proposal_id>/agree/", views.proposal_agree, name="proposal_agree"),
    path("share-proposals/<int:proposal_id>/decline/", views.proposal_decline, name="proposal_decline"),
    path("derivations/<int:derivation_id>/decide/", views.derivation_decide, name="derivation_decide"),
]
