from __future__ import annotations

from dataclasses import dataclass, field

from django import template

from hotline.core import nav

register = template.Library()

# How many of a user's registered links stay in the header's row; the rest are folded into 更多.
# Four links beside the brand, the user's menu and the language switch leave 194 px or more free on a
# 1366-pixel screen for every role in English, the longer language (core/tests/test_browser_header.py).
IN_ROW = 4


@dataclass
class Link:
    label: object
    url: str
    current: bool


@dataclass
class Menu:
    """The header's links: `row` shown in the bar, `more` inside 更多 (empty: no 更多 at all)."""

    row: list[Link] = field(default_factory=list)
    more: list[Link] = field(default_factory=list)
    # The user's own desk is in the row: 我的工作台 would only lead there again.
    has_desk: bool = False

    @property
    def more_current(self) -> bool:
        return any(link.current for link in self.more)


@register.simple_tag(takes_context=True)
def nav_items(context):
    """The navigation links the signed-in user may follow: [(item, url), ...]."""
    user = context["request"].user
    if not user.is_authenticated:
        return []
    return nav.items_for(user)


@register.simple_tag(takes_context=True)
def nav_menu(context) -> Menu:
    """The signed-in user's links split into the row and 更多: the first IN_ROW links (in
    registry order, which puts each role's desks first) and every pinned link stay in the row;
    the page being shown is marked wherever its link is."""
    request = context["request"]
    user = request.user
    if not user.is_authenticated:
        return Menu()
    landing = nav.landing_for(user)
    menu = Menu()
    unpinned = 0
    for item, url in nav.items_for(user):
        link = Link(item.label, url, request.path == url)
        if item.pinned or unpinned < IN_ROW:
            menu.row.append(link)
            menu.has_desk = menu.has_desk or url == landing
        else:
            menu.more.append(link)
        unpinned += not item.pinned
    return menu
