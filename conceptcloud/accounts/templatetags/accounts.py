"""What the accounts app shows on every page: the header's notifications link.

    {% load accounts %}{% notifications_link %}   the link with the unread count,
                                                   for signed-in people only
"""

from django import template

from conceptcloud.accounts import selectors

register = template.Library()


@register.inclusion_tag("accounts/partials/_notifications_link.html", takes_context=True)
def notifications_link(context):
    """One indexed count per page (recipient, read_at), only for a signed-in viewer."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated), "unread": selectors.notifications_unread_count(user=user)}
