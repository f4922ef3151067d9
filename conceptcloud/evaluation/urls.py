from django.urls import path

from conceptcloud.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("assets/<int:asset_id>/praise/", views.praise, name="praise"),
    path("assets/<int:asset_id>/review/", views.review, name="review"),
    path("assets/<int:asset_id>/reviews/<str:username>/reply/", views.review_reply, name="review_reply"),
    path("assets/<int:asset_id>/reviews/<str:username>/versions/", views.review_versions, name="review_versions"),
]
