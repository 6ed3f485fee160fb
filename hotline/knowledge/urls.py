"""The knowledge base's pages (/knowledge/)."""

from django.urls import URLPattern, path  # noqa: F401

urlpatterns: list[URLPattern] = []
