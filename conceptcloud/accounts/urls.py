from django.urls import path

from conceptcloud.registry import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.home, name="login"),
    path("logout/", views.home, name="logout"),
    path("signup/", views.home, name="signup"),
    path("profile/", views.home, name="profile"),
]
