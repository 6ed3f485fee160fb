import pytest
from django.core.management import call_command

from hotline.dispatch.evaluation import default_data_dir

from .history import history

pytestmark = pytest.mark.django_db
DATA = default_data_dir()


@pytest.mark.skipif(
    not (DATA / "messages_labeled.csv").exists(), reason=f"{DATA} is absent (shared data)"
)
def test_it_evaluates_a_small_slice_of_the_shared_data(org, capsys):
    history(org, per_matter=6)
    call_command("eval_dispatch", "--limit", "120", "--folds", "2")
    out = capsys.readouterr().out
    assert "top-1 准确率" in out and "macro-F1" in out and "单条建议" in out
    assert "第 2 折" in out and "第 3 折" not in out
    assert "跳过：已办结工单不足 50 件" in out  # 18 closed orders in this history
    assert "完全相同" in out and "近似重复" in out and "用时" in out


def test_it_skips_cleanly_where_the_data_is_absent(db, tmp_path, capsys):
    call_command("eval_dispatch", "--data", str(tmp_path), "--skip-history")
    out = capsys.readouterr().out
    assert "分类建议：跳过" in out and "重复诉求：跳过" in out
