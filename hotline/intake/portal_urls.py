"""URLs of the citizen portal (/portal/), kept apart from the staff pages of intake."""

from django.urls import URLPattern, URLResolver, path

from . import portal

urlpatterns: list[URLPattern | URLResolver] = [
    path("", portal.portal_home, name="portal_home"),
    path("submit/", portal.portal_submit_view, name="portal_submit"),
    path("submit/done/", portal.portal_done, name="portal_done"),
    path("submit/fields/", portal.portal_category_fields, name="portal_category_fields"),
    path("check/", portal.portal_check, name="portal_check"),
    path("rate/", portal.portal_rate_view, name="portal_rate"),
]
