from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from hotline.catalog.services import SpreadsheetError, category_import, category_read_rows

from ._importing import existing_file, report


class Command(BaseCommand):
    help = gettext("从 CSV/XLSX 导入诉求分类（表头：一级分类,二级分类,三级分类），可重复执行")

    def add_arguments(self, parser):
        parser.add_argument("path", help=gettext("CSV（UTF-8 或 GBK）或 XLSX 文件"))

    def handle(self, *args, path, **options):
        file = existing_file(path)
        try:
            rows = category_read_rows(path_or_file=file, filename=file.name)
        except SpreadsheetError as e:
            raise CommandError(e.message) from e
        report(self, category_import(rows=rows, source=file.name), written_on_error=True)
