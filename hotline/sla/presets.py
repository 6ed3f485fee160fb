"""Rule-set presets (规则集): the time limits of one published document, as data.

Each preset holds the clocks its document states, every row carrying its source text, plus
platform defaults for the clocks the document does not state — labelled as such in their
source ("平台默认：…未规定"), never attributed to the document. `sla.rulesets` applies a
preset to the rule table; the shipped default (migration 0003) is SHIPPED_DEFAULT."""

from __future__ import annotations

from dataclasses import dataclass

from .choices import Clock, LimitUnit

WD = LimitUnit.WORKING_DAYS.value


@dataclass(frozen=True)
class PresetRule:
    """One row of a preset. request_type / urgency are catalogue codes; None means any."""

    clock: str
    amount: int
    unit: str
    source: str
    request_type: str | None = None
    urgency: str | None = None
    platform_default: bool = False


@dataclass(frozen=True)
class Preset:
    code: str
    name: str
    # The documents the rows come from, each with its date ("title（date）").
    documents: tuple[str, ...]
    rules: tuple[PresetRule, ...]
    # The longest extension the document allows, in working days (None: it says nothing);
    # enforced by the setting HOTLINE_EXTENSION_MAX_DAYS, not by a rule row.
    extension_max_days: int | None = None

    def clocks_stated(self) -> frozenset[str]:
        """The clocks the document itself states (not filled by platform defaults)."""
        return frozenset(r.clock for r in self.rules if not r.platform_default)


def _platform(clock: str, amount: int, document: str, *, rest: bool = False) -> PresetRule:
    """A platform default for a clock `document` does not state (or, with `rest`, for the
    request types it does not name)."""
    what = {
        Clock.ACKNOWLEDGE: "签收时限",
        Clock.REPLY: "其余诉求类型的办结时限" if rest else "办结时限",
        Clock.RETURN: "退单时限",
        Clock.CALLBACK: "回访时限",
    }[Clock(clock)]
    return PresetRule(clock, amount, WD, f"平台默认：{document}未规定{what}", platform_default=True)


SHANDONG_DOC = "《山东省政务服务热线管理办法》（经省政府同意，2020年1月印发）"
SHANDONG = Preset(
    code="shandong_2020",
    name="山东省（2020）",
    documents=(SHANDONG_DOC,),
    rules=(
        PresetRule(
            Clock.REPLY,
            5,
            WD,
            f"{SHANDONG_DOC}：承办单位应在接到热线事项5个工作日内办理完毕并回复",
        ),
        PresetRule(
            Clock.RETURN,
            2,
            WD,
            f"{SHANDONG_DOC}：不属于本单位职责的应在2个工作日内回退",
        ),
        _platform(Clock.ACKNOWLEDGE, 1, "山东办法"),
        _platform(Clock.CALLBACK, 3, "山东办法"),
    ),
    extension_max_days=10,
)

TIANJIN_RULES_DOC = "《天津市政务服务便民热线管理办法实施细则》（2024-12-30）"
TIANJIN_MEASURES_DOC = "《天津市政务服务便民热线管理办法》（市政府令第39号，2025-01-01施行）"
TIANJIN = Preset(
    code="tianjin_2024",
    name="天津市（2024）",
    documents=(TIANJIN_RULES_DOC, TIANJIN_MEASURES_DOC),
    rules=(
        PresetRule(
            Clock.ACKNOWLEDGE,
            15,
            LimitUnit.MINUTES,
            f"{TIANJIN_RULES_DOC}：涉及可能危及人民群众生命财产安全的诉求15分钟内接收（不分昼夜）",
            urgency="critical",
        ),
        PresetRule(
            Clock.ACKNOWLEDGE,
            30,
            LimitUnit.MINUTES,
            f"{TIANJIN_RULES_DOC}：涉及水、电、气、热等基本民生保障的诉求30分钟内接收（不分昼夜）",
            urgency="urgent",
        ),
        PresetRule(Clock.ACKNOWLEDGE, 1, WD, f"{TIANJIN_RULES_DOC}：一般诉求1个工作日内接收"),
        PresetRule(
            Clock.RETURN,
            1,
            WD,
            f"{TIANJIN_MEASURES_DOC}：不属于本单位职责的，1个工作日内退回（复杂疑难可延长至2个工作日）",
        ),
        _platform(Clock.REPLY, 10, "天津办法及实施细则"),
        _platform(Clock.CALLBACK, 3, "天津办法及实施细则"),
    ),
)

GUANGDONG_DOC = "《广东省12345政务服务便民热线管理办法》（粤府办，2022-06-27印发，2022-09-01施行）"


def _guangdong(request_type: str, days: int, kind: str) -> PresetRule:
    return PresetRule(
        Clock.REPLY,
        days,
        WD,
        f"{GUANGDONG_DOC}：{kind}类诉求自收到之日起{days}个工作日内办结",
        request_type=request_type,
    )


GUANGDONG = Preset(
    code="guangdong_2022",
    name="广东省（2022）",
    documents=(GUANGDONG_DOC,),
    rules=(
        _guangdong("inquiry", 2, "咨询"),
        _guangdong("help", 10, "求助"),
        _guangdong("suggestion", 10, "建议"),
        _guangdong("complaint", 15, "投诉"),
        _guangdong("report", 15, "举报"),
        # 表扬, 其他 and any type added later still get a deadline.
        _platform(Clock.REPLY, 10, "广东办法", rest=True),
        _platform(Clock.ACKNOWLEDGE, 1, "广东办法"),
        _platform(Clock.RETURN, 1, "广东办法"),
        _platform(Clock.CALLBACK, 3, "广东办法"),
    ),
)

PRESETS: dict[str, Preset] = {p.code: p for p in (SHANDONG, TIANJIN, GUANGDONG)}
SHIPPED_DEFAULT = SHANDONG
