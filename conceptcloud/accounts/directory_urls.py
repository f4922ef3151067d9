from django.urls import path

from conceptcloud.registry import views

app_name = "directory"
urlpatterns = [
    path("organisations/", views.home, name="organisation_list"),
    path("people/", views.home, name="person_list"),
]
