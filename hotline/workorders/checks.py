"""System checks of the work-order settings a city sets: a wrong value stops `manage.py check`,
`migrate` and the server at start-up with the setting named, instead of the first upload
answering a server error."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.compatibility)
def attachment_extensions_check(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    from .uploads import allowed_extensions

    try:
        allowed_extensions()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="workorders.E001")]
    return []
