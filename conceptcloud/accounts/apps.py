from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "conceptcloud.accounts"
    label = "accounts"
