import csv

import pytest
from django.core.management import CommandError, call_command

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
    # The taxonomy, as the platform's tree: the leaves under the slice's labelled classes.
    assert "个末级分类的名称作为训练样本" in out
    assert "第 2 折" in out and "第 3 折" not in out
    assert "跳过：已办结工单不足 50 件" in out  # 18 closed orders in this history
    assert "完全相同" in out and "近似重复" in out and "用时" in out


def test_it_skips_cleanly_where_the_data_is_absent(db, tmp_path, capsys):
    call_command("eval_dispatch", "--data", str(tmp_path), "--skip-history")
    out = capsys.readouterr().out
    assert "分类建议：跳过" in out and "重复诉求：跳过" in out


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


SAMPLE = {
    "城乡建设": ["小区停水三天了", "路灯不亮很危险", "自来水管爆裂停水", "路灯坏了没人修"],
    "教育文体": ["学校乱收费", "学校收取资料费", "学校补课收费", "幼儿园乱收费"],
}


def _sample(tmp_path):
    rows = [
        [i, "U", title, "2020/1/1", title + "，请尽快处理。", label]
        for label, titles in SAMPLE.items()
        for i, title in enumerate(titles * 3)
    ]
    header = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "一级分类"]
    _write(tmp_path / "messages_labeled.csv", header, rows)


def test_without_a_taxonomy_it_evaluates_the_text_alone(db, tmp_path, capsys):
    _sample(tmp_path)
    call_command("eval_dispatch", "--data", str(tmp_path), "--folds", "1", "--skip-history")
    out = capsys.readouterr().out
    assert "未找到 taxonomy.csv：不用分类树的名称" in out and "top-1 准确率" in out


def test_a_taxonomy_row_without_three_names_is_refused_by_name(db, tmp_path):
    _sample(tmp_path)
    _write(
        tmp_path / "taxonomy.csv",
        ["一级分类", "二级分类", "三级分类"],
        [["城乡建设", "供水", "停水"], ["教育文体", "", "乱收费"]],
    )
    with pytest.raises(
        CommandError, match=r"taxonomy\.csv 第 3 行：一级、二级、三级分类名称须齐全"
    ):
        call_command("eval_dispatch", "--data", str(tmp_path), "--folds", "1", "--skip-history")


def test_it_scores_the_cold_start_on_the_held_out_history_with_and_without_knowledge(org, capsys):
    from hotline.dispatch.evaluation import evaluate_history
    from hotline.knowledge.choices import EntryStatus
    from hotline.knowledge.services import knowledge_entry_create

    from .history import MATTERS, category

    for _round in range(3):
        history(org, per_matter=8)  # 72 closed orders in all
    # The property-service matter: its category's names ("住房与物业 / 物业服务") share no
    # bigram with the complaints' words, an entry does.
    knowledge_entry_create(
        actor=org.sue,
        unit=org.housing,
        title="物业不作为、不打扫楼道卫生找谁",
        answer="物业服务问题可向县住建局物业管理办公室投诉。",
        category=category(MATTERS["housing"][0]),
        status=EntryStatus.PUBLISHED,
    )
    lines: list[str] = []
    evaluate_history(say=lines.append)
    cold = [line for line in lines if "仅分类名称" in line or "知识库（平台所用）" in line]
    assert len(cold) == 2, lines
    names_top1 = float(cold[0].split("top-1 ")[1].split()[0])
    knowledge_top1 = float(cold[1].split("top-1 ")[1].split()[0])
    assert knowledge_top1 > names_top1
    assert any("知识库在用条目 1 条" in line for line in lines)
