import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from hotline.workorders.checks import attachment_extensions_check


def test_a_known_allowlist_passes(settings):
    settings.HOTLINE = {**settings.HOTLINE, "ATTACHMENT_EXTENSIONS": "+mp4,-bmp"}
    assert attachment_extensions_check() == []


def test_an_unknown_extension_stops_the_start_naming_the_setting(settings):
    settings.HOTLINE = {**settings.HOTLINE, "ATTACHMENT_EXTENSIONS": "jpg,exe"}
    [error] = attachment_extensions_check()
    assert error.id == "workorders.E001"
    assert "HOTLINE_ATTACHMENT_EXTENSIONS" in error.msg and "'exe'" in error.msg
    with pytest.raises(SystemCheckError, match="HOTLINE_ATTACHMENT_EXTENSIONS"):
        call_command("check")


def test_a_list_mixed_with_changes_is_refused(settings):
    settings.HOTLINE = {**settings.HOTLINE, "ATTACHMENT_EXTENSIONS": "jpg,+mp4"}
    [error] = attachment_extensions_check()
    assert "mixes" in error.msg
