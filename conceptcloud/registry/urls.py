from django.urls import path

from conceptcloud.registry import views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.home, name="dashboard"),
    path("assets/", views.home, name="asset_list"),
    path("needs/", views.home, name="need_list"),
]
