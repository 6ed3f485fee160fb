"""URLs of the citizen portal (/portal/), kept apart from the staff pages of intake."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
