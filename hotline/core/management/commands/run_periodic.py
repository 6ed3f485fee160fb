import signal
import threading

from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from hotline.core.periodic import jobs
from hotline.core.scheduler import Runner


class Command(BaseCommand):
    help = gettext("嵌入式定时任务运行器：按登记的周期运行各定时任务（无需 Celery beat）")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help=gettext("运行一次到期任务后退出"))
        parser.add_argument("--poll", type=float, default=15.0, help=gettext("检查间隔（秒）"))

    def handle(self, *args, once, poll, **options):
        runner = Runner()
        names = ", ".join(j.name for j in jobs()) or "-"
        self.stdout.write(gettext("定时任务：{names}").format(names=names))
        if once:
            ran = runner.tick()
            self.stdout.write(gettext("已运行：{names}").format(names=", ".join(ran) or "-"))
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            runner.run_forever(stop, poll_seconds=poll)
        except KeyboardInterrupt:
            pass
