from django.apps import AppConfig


class LicensingConfig(AppConfig):
    name = "conceptcloud.licensing"
    verbose_name = "Licensing"

    def ready(self) -> None:
        # Who may read the history entries about offers and deals, and what the
        # pages call them (registry/history.py: a kind it does not know stays hidden).
        from conceptcloud.licensing.selectors import deal_subject_visible, offer_subject_visible
        from conceptcloud.licensing.templatetags.licensing import ENTRY_LABELS
        from conceptcloud.registry import history

        history.SUBJECT_RULES["offer"] = offer_subject_visible
        history.SUBJECT_RULES["deal"] = deal_subject_visible
        history.ENTRY_LABELS.update(ENTRY_LABELS)
