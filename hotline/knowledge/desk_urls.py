"""The agent desk's knowledge card (/knowledge/desk/): entries matching the call being taken."""

from django.urls import URLPattern, path

from . import desk

urlpatterns: list[URLPattern] = [
    path("matches/", desk.matches, name="knowledge_desk_matches"),
]
