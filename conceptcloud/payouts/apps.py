from django.apps import AppConfig


class PayoutsConfig(AppConfig):
    name = "conceptcloud.payouts"
    verbose_name = "Payouts"
