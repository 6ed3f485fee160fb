"""The interface language: Chinese unless the user chose another."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _


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


def refuse_nul_in_query(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """A query parameter with a NUL character is refused with 400 naming the parameter, before
    any view: PostgreSQL cannot compare or store NUL in text, and a search for it would
    otherwise end in a server error (found by schemathesis on `GET /api/units?q=`). Open311's
    paths answer it themselves, in the specification's error format."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/open311/"):
            return get_response(request)  # Open311 refuses NUL itself, in its own error format
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                shown = name.replace("\x00", "\\0")[:40]
                message = _("查询参数「{name}」含有不允许的控制字符（NUL）").format(name=shown)
                return JsonResponse(
                    {"detail": message, "code": "invalid", "field": shown}, status=400
                )
        return get_response(request)

    return middleware
