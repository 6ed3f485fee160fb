"""What the two import commands share: reading the file and reporting the result."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hotline.catalog.services import ImportResult


def existing_file(path: str) -> Path:
    p = Path(path)
    if not p.is_file():
        raise CommandError(_("文件不存在：{path}").format(path=path))
    return p


def report(command: BaseCommand, result: ImportResult, *, written_on_error: bool) -> None:
    """Print the summary and each error; fail (exit status 1) when there were errors."""
    for error in result.errors:
        command.stderr.write(str(error))
    if result.ok:
        command.stdout.write(command.style.SUCCESS(result.summary()))
        return
    command.stdout.write(result.summary())
    if written_on_error:
        raise CommandError(
            _("{count} 行有错误未导入，其余各行已导入").format(count=len(result.errors))
        )
    raise CommandError(_("{count} 处错误，未写入任何数据").format(count=len(result.errors)))
