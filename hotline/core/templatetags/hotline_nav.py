from django import template

from hotline.core import nav

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_items(context):
    """The navigation links the signed-in user may follow: [(item, url), ...]."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return nav.items_for(user)
