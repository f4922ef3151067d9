"""Web pages of discovery: search, matching, registration help, saved searches."""

from django.urls import path

from conceptcloud.discovery import views

app_name = "discovery"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("saved-searches/", views.saved_search_list, name="saved_search_list"),
    path("saved-searches/new/", views.saved_search_create, name="saved_search_create"),
    path("saved-searches/<int:saved_search_id>/delete/", views.saved_search_delete, name="saved_search_delete"),
    path("needs/<int:need_id>/technologies/", views.need_technologies, name="need_technologies"),
    path("assets/<int:asset_id>/matches/", views.asset_matches, name="asset_matches"),
    path("assets/<int:asset_id>/matches/needs/", views.asset_needs, name="asset_needs"),
    path("assets/<int:asset_id>/matches/partners/", views.asset_partners, name="asset_partners"),
    path("people/<str:username>/mentors/", views.person_mentors, name="person_mentors"),
    path("registration/similar/", views.registration_similar, name="registration_similar"),
    path("registration/sdgs/", views.registration_sdgs, name="registration_sdgs"),
]
