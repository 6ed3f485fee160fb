"""Requesters: made-up names and valid-format made-up phone numbers, with repeat callers."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# Common surnames, with those frequent in northern Shaanxi first (and so weighted up).
SURNAMES = (
    "李王张刘高马霍曹苗贺杨郝白薛冯拓惠艾" + "陈赵黄周吴徐孙胡朱郭何罗梁宋郑谢韩唐董萧程蔡潘袁许邓"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅玉兰海燕志宏文斌鹏飞亮丹宁浩晨"
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "173", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "199",
]  # fmt: skip
# Yulin's area code; 子洲 landlines start with 7.
LANDLINE_PREFIX = "0912-7"
ROADS = ["人民路", "滨河路", "文化路", "新华街", "育才路", "南环路", "北大街", "东风路", "子洲大道"]
NEIGHBOURHOODS = ["阳光小区", "滨河花园", "锦绣家园", "怡景苑", "新城佳苑", "金水湾", "教师小区"]


@dataclass
class Requester:
    name: str
    phone: str


@dataclass
class Requesters:
    """Hands out requesters: mostly new callers, some calling again (the more often someone
    has called, the likelier they call again, as real repeat callers do)."""

    rng: random.Random
    repeat_rate: float = 0.12
    calls: list[Requester] = field(default_factory=list)
    phones: set[str] = field(default_factory=set)

    def pick(self) -> Requester:
        if self.calls and self.rng.random() < self.repeat_rate:
            who = self.rng.choice(self.calls)
        else:
            who = Requester(self._name(), self._phone())
        self.calls.append(who)
        return who

    def _name(self) -> str:
        rng = self.rng
        weights = [3 if i < 18 else 1 for i in range(len(SURNAMES))]
        surname = rng.choices(SURNAMES, weights=weights)[0]
        if rng.random() < 0.3:  # many callers give only a surname
            return surname + rng.choice(["先生", "女士"])
        return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))

    def _phone(self) -> str:
        while True:
            if self.rng.random() < 0.06:
                phone = LANDLINE_PREFIX + f"{self.rng.randrange(10**6):06d}"
            else:
                phone = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone


def address(rng: random.Random, street: str, community: str, rural: bool) -> str:
    if rural:
        return f"{street}{community}{rng.randint(1, 9)}组"
    place = rng.choice([*ROADS, *NEIGHBOURHOODS])
    return f"{street}{community}{place}{rng.randint(1, 120)}号"
