"""The WSGI application: Django's handler, and beside it one with the shorter middleware chain
of KEY_AUTH_MIDDLEWARE for the paths a channel key authenticates (KEY_AUTH_PATHS)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")


class KeyAuthHandler(WSGIHandler):
    """Django's handler with KEY_AUTH_MIDDLEWARE: no sessions, CSRF, users, messages, htmx or
    frame options, none of which a request with a channel key and no cookie uses."""

    def load_middleware(self, is_async: bool = False) -> None:
        # BaseHandler builds its chain from settings.MIDDLEWARE; this runs once, at start-up.
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.KEY_AUTH_MIDDLEWARE
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


_full = get_wsgi_application()
_key_auth = KeyAuthHandler()
_key_auth_paths = tuple(settings.KEY_AUTH_PATHS)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "")
    handler = _key_auth if path.startswith(_key_auth_paths) else _full
    return handler(environ, start_response)
