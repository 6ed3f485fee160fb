"""The interface language: Chinese unless the user chose another."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Pages speak the language chosen with the switcher (its cookie), else LANGUAGE_CODE.

    The browser's Accept-Language is ignored for pages: clerks' machines are often set up in
    English, and a government hotline's pages are Chinese unless someone asks otherwise. API
    clients, which have no switcher, may ask with Accept-Language."""

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _ in settings.LANGUAGES}
        translation.activate(chosen if chosen in supported else settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()
