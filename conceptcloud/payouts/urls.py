"""The payouts pages, mounted at the site root (namespace "payouts")."""

from django.urls import path

from conceptcloud.payouts import views

app_name = "payouts"
urlpatterns = [
    path("payouts/statement/", views.statement, name="statement"),
    path("payouts/statement.csv", views.statement_csv, name="statement_csv"),
    path("payouts/pay/", views.payout_create, name="payout_create"),
    path("assets/<int:asset_id>/revenue/", views.asset_revenue, name="asset_revenue"),
    path("assets/<int:asset_id>/revenue/<int:event_id>/", views.revenue_event, name="revenue_event"),
]
