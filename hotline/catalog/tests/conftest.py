import io
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

SHARED_DATA = Path(settings.BASE_DIR).parent / "shared" / "data"


@pytest.fixture
def taxonomy_path() -> Path:
    path = SHARED_DATA / "tipdm2020c" / "taxonomy.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    """A workbook built in memory, as an administrator's Excel would save it."""
    wb = Workbook()
    sheet = wb.active
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
