from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hotline.catalog.spreadsheets import SpreadsheetError
from hotline.sla.calendar_import import calendar_import


class Command(BaseCommand):
    help = gettext(  # argparse needs a str, not a lazy translation
        "从 CSV/XLSX 导入节假日与调休（表头：日期,类型,说明；类型为“休”或“班”），"
        "并将文件涉及的年份登记为已录入"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext("CSV（UTF-8 或 GBK）或 XLSX 文件"))
        parser.add_argument("--source", default="", help=gettext("依据，如国务院办公厅通知文号"))

    def handle(self, *args, path, source, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(gettext("文件不存在：{path}").format(path=path))
        try:
            result = calendar_import(path_or_file=file, filename=file.name, source=source)
        except SpreadsheetError as e:
            raise CommandError(e.message) from e
        for error in result.errors:
            self.stderr.write(error)
        if result.errors:
            raise CommandError(
                gettext("{count} 处错误，未写入任何数据").format(count=len(result.errors))
            )
        self.stdout.write(
            self.style.SUCCESS(
                gettext("已导入 {days} 天，登记年份：{years}").format(
                    days=result.days, years="、".join(map(str, result.years))
                )
            )
        )
