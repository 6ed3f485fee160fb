from django.test import override_settings

from hotline.core.sms import SmsResult, send_sms


class Broken:
    def send(self, *, phone: str, text: str) -> SmsResult:
        raise ConnectionError("gateway down")


def test_it_prints_with_the_console_backend(capsys):
    result = send_sms(phone="13800000000", text="您的工单已受理")
    assert result.ok
    assert "13800000000: 您的工单已受理" in capsys.readouterr().out


@override_settings(SMS_BACKEND="hotline.core.tests.test_sms.Broken")
def test_it_reports_a_gateway_failure_without_raising():
    result = send_sms(phone="13800000000", text="x")
    assert not result.ok
    assert "gateway down" in result.detail
