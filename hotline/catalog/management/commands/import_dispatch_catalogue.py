from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hotline.catalog.services import SpreadsheetError, dispatch_read_rows, dispatch_rule_import

from ._importing import existing_file, report


class Command(BaseCommand):
    help = gettext(  # argparse needs a str, not a lazy translation
        "从 CSV/XLSX 导入派单目录（一级分类,二级分类,三级分类,区划代码,主办单位,协办单位,职责依据）；任何一行有错则不写入"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext("CSV（UTF-8 或 GBK）或 XLSX 文件"))

    def handle(self, *args, path, **options):
        file = existing_file(path)
        try:
            rows = dispatch_read_rows(path_or_file=file, filename=file.name)
        except SpreadsheetError as e:
            raise CommandError(e.message) from e
        report(self, dispatch_rule_import(rows=rows, source=file.name), written_on_error=False)
