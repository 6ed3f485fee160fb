from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from hotline.sla.scans import sla_scan


class Command(BaseCommand):
    help = _("执行一次时限扫描（预警、催办、督办、回访超时提醒）")  # type: ignore[assignment]

    def handle(self, *args, **options):
        counts = sla_scan()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
