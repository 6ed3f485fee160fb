"""The agent desk's knowledge card (/knowledge/desk/): entries matching the call being taken."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
