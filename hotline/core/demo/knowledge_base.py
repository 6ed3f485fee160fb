"""The demo's knowledge base (知识库) as the platform keeps it: one published entry for every
question in `knowledge`, maintained by the unit of its topic, under the topic's category and
the request type of the question; a few with a term (a season's schedule), and two written by
unit managers still waiting for review. Written through `knowledge.services`, then dated back
to before the demo's first order: the orders answered from them (直办) record their uses.

Idempotent like the organisation: an entry of the same unit and question is reused."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from hotline.accounts.choices import Role
from hotline.accounts.models import Unit, User
from hotline.catalog.models import Category, RequestType
from hotline.knowledge.choices import EntryStatus
from hotline.knowledge.models import Entry, Revision, Use
from hotline.knowledge.services import knowledge_entry_create

from .catalogue import Catalogue
from .clock import local
from .knowledge import KNOWLEDGE
from .knowledge import Entry as Question
from .organisation import DemoOrg
from .topics import STREET, TOPIC_BY_KEY, Topic

# Maintains the answers of a topic that the street of the order's own area handles: the
# county department that assists it, or else 民政局 (community and village affairs).
STREET_MAINTAINER = "civil"
# Entries published for a season only: (topic, question) → the month and day their term ends.
TERMS: dict[tuple[str, str], tuple[int, int]] = {
    ("heating", "咨询今年供暖开始时间"): (3, 15),  # the end of the heating season
    ("flood", "汛期险情向谁报告"): (9, 30),  # the end of the flood season
    ("culture", "咨询景区门票和开放时间"): (12, 31),  # this year's prices
}
# Written by a unit's manager and submitted: the supervisors' review queue has work.
PENDING: list[tuple[str, str, str, str, str]] = [
    (
        "water",
        "help",
        "二次供水水箱多久清洗一次",
        "高层 二次供水 水箱 水发黄",
        "小区二次供水设施由产权单位或物业每半年至少清洗消毒一次，清洗前须提前公告；"
        "水质异常可联系县自来水公司水质检测中心免费检测。",
    ),
    (
        "heating",
        "inquiry",
        "供暖期内报停暖气怎么办理",
        "报停 停暖 不用暖气 空房",
        "空置房屋可在每年10月31日前携带房产证明和户主身份证到热力公司营业厅办理报停，"
        "报停期间按基本热价的30%缴纳供暖费，逾期办理的当季不再受理。",
    ),
]


def generalise(text: str) -> str:
    """A question's text with the caller's place taken out ("咨询{place}停水…" → "咨询停水…")."""
    return text.replace("{place}所在", "来电人所在").replace("{place}", "")


def maintainer(org: DemoOrg, topic: Topic) -> Unit:
    if topic.lead != STREET:
        return org.units[topic.lead]
    departments = [c for c in topic.assisting if c != STREET]
    return org.units[departments[0] if departments else STREET_MAINTAINER]


def keywords(topic: Topic, question: Question) -> str:
    """The topic's words that the question or its answer uses: how callers name the matter."""
    text = question.title + question.content + question.answer
    return " ".join(k for k in topic.keywords if k in text)


def term(key: tuple[str, str], today: date) -> date | None:
    """The next end of the entry's season, today or later."""
    if key not in TERMS:
        return None
    month, day = TERMS[key]
    end = date(today.year, month, day)
    return end if end >= today else date(today.year + 1, month, day)


def _leaf(category: Category | None) -> Category | None:
    """The topic's category where it is a leaf (entries name leaves only), else none."""
    if category is None or category.children.filter(is_active=True).exists():
        return None
    return category


def seed_knowledge(*, org: DemoOrg, catalogue: Catalogue, start: date) -> dict[Question, Entry]:
    """Publish the demo's entries (dated the month before `start`); returns each question's
    entry, which the orders answered from it name in their uses."""
    publisher = org.staff(Role.SUPERVISOR)[0]
    types = {t.code: t for t in RequestType.objects.all()}
    today = timezone.localdate()
    made: dict[Question, Entry] = {}
    new: list[int] = []
    for topic_key, questions in KNOWLEDGE.items():
        topic = TOPIC_BY_KEY[topic_key]
        unit = maintainer(org, topic)
        category = _leaf(catalogue.categories.get(topic_key))
        for q in questions:
            title = generalise(q.title)
            entry = Entry.objects.filter(unit=unit, title=title).first()
            if entry is None:
                entry = knowledge_entry_create(
                    actor=publisher,
                    unit=unit,
                    title=title,
                    keywords=keywords(topic, q),
                    answer=generalise(q.answer),
                    category=category,
                    request_type=types[q.kind],
                    valid_until=term((topic_key, q.title), today),
                    status=EntryStatus.PUBLISHED,
                )
                new.append(entry.pk)
            made[q] = entry
    _date_back(new, local(start - timedelta(days=30), time(9, 30)))
    _pending(org, catalogue, types)
    return made


def _date_back(pks: list[int], at: datetime) -> None:
    """The knowledge base was there before the orders that use it."""
    Entry.objects.filter(pk__in=pks).update(created_at=at, updated_at=at, published_at=at)
    Revision.objects.filter(entry__in=pks).update(at=at)


def _pending(org: DemoOrg, catalogue: Catalogue, types: dict[str, RequestType]) -> None:
    for topic_key, kind, title, words, answer in PENDING:
        topic = TOPIC_BY_KEY[topic_key]
        unit = maintainer(org, topic)
        if Entry.objects.filter(unit=unit, title=title).exists():
            continue
        knowledge_entry_create(
            actor=org.manager(unit.code),
            unit=unit,
            title=title,
            keywords=words,
            answer=answer,
            category=_leaf(catalogue.categories.get(topic_key)),
            request_type=types[kind],
            status=EntryStatus.PENDING,
            note="请热线中心审核发布",
        )


def use(entry: Entry, *, order_id: int, agent: User, at: datetime) -> Use:
    """The row of an order answered at intake from `entry`, at the time the demo answered it
    (`knowledge_use_record` stamps the present moment: the demo writes a year of past uses)."""
    return Use(entry=entry, version=entry.version, order_id=order_id, used_by=agent, used_at=at)
