from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from hotline.sla.scans import sla_scan


class Command(BaseCommand):
    help = gettext("执行一次时限扫描（预警、催办、督办、回访超时提醒）")

    def handle(self, *args, **options):
        counts = sla_scan()
        self.stdout.write(" ".join(f"{k}={v}" for k, v in counts.items()))
