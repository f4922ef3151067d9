from functools import partial

from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "conceptcloud.evaluation"
    verbose_name = "Evaluation"

    def ready(self) -> None:
        # Who may read the history entries about praise and reviews, what the pages
        # call them (registry/history.py: a kind it does not know stays hidden), and
        # the orders the asset list and the people directory offer by standing.
        from conceptcloud.accounts import selectors as account_selectors
        from conceptcloud.evaluation import selectors
        from conceptcloud.evaluation.templatetags.evaluation import ENTRY_LABELS
        from conceptcloud.registry import history
        from conceptcloud.registry import selectors as registry_selectors

        history.SUBJECT_RULES["praise"] = selectors.praise_subject_visible
        history.SUBJECT_RULES["review"] = selectors.review_subject_visible
        history.ENTRY_LABELS.update(ENTRY_LABELS)
        registry_selectors.ASSET_ORDERS.update(
            praise=(selectors.ORDER_LABELS["praise"], selectors.assets_by_praise),
            reputation=(selectors.ORDER_LABELS["reputation"], selectors.assets_by_reputation),
        )
        account_selectors.PERSON_ORDERS["reputation"] = (selectors.ORDER_LABELS["reputation"], selectors.people_by_reputation)
        for key, label in selectors.STANDING_LABELS.items():
            registry_selectors.ASSET_STANDINGS[key] = (label, partial(selectors.assets_standing_at_least, value=key))
            if key in selectors.STANDING:
                account_selectors.PERSON_STANDINGS[key] = (label, partial(selectors.people_standing_at_least, value=key))
