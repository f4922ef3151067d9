"""The licensing pages, mounted at the site root (namespace "licensing")."""

from django.urls import path

from conceptcloud.licensing import views
from conceptcloud.licensing import dashboard_views

app_name = "licensing"
urlpatterns = [
    path("assets/<int:asset_id>/offers/new/", views.offer_create, name="offer_create"),
    path("assets/<int:asset_id>/inquire/", views.inquiry_create, name="inquiry_create"),
    path("offers/<int:offer_id>/", views.offer_detail, name="offer_detail"),
    path("offers/<int:offer_id>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:offer_id>/accept/", views.offer_accept, name="offer_accept"),
    path("deals/", views.deal_list, name="deal_list"),
    path("deals/<int:deal_id>/", views.deal_detail, name="deal_detail"),
    path("deals/<int:deal_id>/messages/", views.deal_message, name="deal_message"),
    path("deals/<int:deal_id>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:deal_id>/terms/", views.deal_terms, name="deal_terms"),
    path("deals/<int:deal_id>/nda/", views.nda_propose, name="nda_propose"),
    path("deals/<int:deal_id>/payments/", views.deal_payment, name="deal_payment"),
    path("ndas/<int:nda_id>/decide/", views.nda_decide, name="nda_decide"),
    # The TLO/owner dashboard (dashboard_views.py).
    path("organisations/<slug:slug>/licensing/", dashboard_views.organisation_dashboard, name="organisation_dashboard"),
    path(
        "organisations/<slug:slug>/licensing/metrics.csv",
        dashboard_views.organisation_metrics_csv,
        name="organisation_metrics_csv",
    ),
    path("licensing/dashboard/", dashboard_views.person_dashboard, name="person_dashboard"),
    path("licensing/dashboard/metrics.csv", dashboard_views.person_metrics_csv, name="person_metrics_csv"),
]
