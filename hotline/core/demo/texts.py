"""Where request and reply texts come from: the shared message-board corpus (泰迪杯 2020 C,
placeholder places like "A市A3区" renamed to the demo county) when it is on this machine, the
built-in samples otherwise. The repository holds no copy of the corpus; it is read in place."""

from __future__ import annotations

import csv
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from .knowledge import KNOWLEDGE
from .knowledge import Entry as Question
from .organisation import COUNTY_NAME
from .samples import (
    ANSWER_TEMPLATES,
    DIRECT_TEMPLATES,
    PRAISE,
    PRAISE_REPLIES,
    REPLY_TEMPLATES,
    SAMPLES,
)
from .topics import TOPIC_BY_KEY, TOPICS

TITLE_LIMIT = 80
CONTENT_LIMIT = 1200
REPLY_LIMIT = 1200

# Most specific first: "A市A3区" is one place, not two.
_PLACES = [
    (re.compile(r"西地省"), "陕西省"),
    (re.compile(r"[A-Z]\d?市[A-Z]\d+[区县市]"), COUNTY_NAME),
    (re.compile(r"[A-Z]\d+[区县市]"), COUNTY_NAME),
    (re.compile(r"[A-Z]市"), COUNTY_NAME),
    (re.compile(r"网友“?[A-Z]{1,2}\d{4,}”?"), "网友"),
    (re.compile(r"[A-Z]{1,2}\d{5,}"), "网友"),
]
_SPACE = re.compile(r"\s+")


def corpus_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data" / "tipdm2020c"


def localise(text: str) -> str:
    for pattern, name in _PLACES:
        text = pattern.sub(name, text)
    return _SPACE.sub(" ", text).strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def classify(title: str, content: str) -> str | None:
    """The first topic whose keyword appears in the title, else in the content."""
    for text in (title, content[:200]):
        for topic in TOPICS:
            if any(k in text for k in topic.keywords):
                return topic.key
    return None


@dataclass
class TextSource:
    """Texts per topic. `requests`/`replies` hold corpus texts; samples fill the gaps."""

    requests: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    replies: dict[str, list[str]] = field(default_factory=dict)

    @property
    def from_corpus(self) -> bool:
        return bool(self.requests)

    def request(self, rng: random.Random, topic: str, place: str) -> tuple[str, str]:
        pool = self.requests.get(topic, [])
        # Keep some built-in texts even with the corpus: they name the requester's own street.
        if len(pool) >= 5 and rng.random() < 0.8:
            return rng.choice(pool)
        title, content = rng.choice(SAMPLES[topic][0])
        return title.format(place=place), content.format(place=place)

    @staticmethod
    def question(
        rng: random.Random, topic: str, kind: str, place: str
    ) -> tuple[str, str, str, Question]:
        """A knowledge-base question of `kind` on `topic`, as asked from `place`, with its
        answer and the question itself: (title, content, answer, question). Raises IndexError
        when the topic has none."""
        entry = rng.choice([e for e in KNOWLEDGE[topic] if e.kind == kind])
        return (
            entry.title.format(place=place),
            entry.content.format(place=place),
            entry.answer.format(place=place),
            entry,
        )

    @staticmethod
    def praise(rng: random.Random, topic: str, unit: str, place: str) -> tuple[str, str]:
        title, content = rng.choice(PRAISE)
        name = TOPIC_BY_KEY[topic].name
        return title.format(unit=unit), content.format(unit=unit, topic=name, place=place)

    @staticmethod
    def answer(rng: random.Random, answer: str) -> str:
        """The note of a direct answer: the knowledge-base answer to the question asked."""
        return rng.choice(DIRECT_TEMPLATES).format(answer=answer)

    def reply(
        self, rng: random.Random, topic: str, unit: str, *, answer: str = "", praise: bool = False
    ) -> str:
        """A unit's reply: thanks for praise, the answer to an inquiry, else what it did."""
        if praise:
            return rng.choice(PRAISE_REPLIES).format(topic=TOPIC_BY_KEY[topic].name, unit=unit)
        if answer:
            return rng.choice(ANSWER_TEMPLATES).format(answer=answer, unit=unit)
        pool = self.replies.get(topic, [])
        if len(pool) >= 3 and rng.random() < 0.5:
            return rng.choice(pool)
        return rng.choice(REPLY_TEMPLATES).format(action=SAMPLES[topic][1], unit=unit)


def load_texts(directory: Path | None = None, *, use_corpus: bool = True) -> TextSource:
    """Read the corpus if asked and present. Order follows the files, so a seed is repeatable."""
    source = TextSource()
    directory = directory or corpus_dir()
    if not use_corpus:
        return source
    votes = directory / "messages_with_votes.csv"
    replies = directory / "messages_with_replies.csv"
    for path in (votes, replies):
        if not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                title = localise(row.get("留言主题") or "")
                content = localise(row.get("留言详情") or "")
                if not title or not content:
                    continue
                topic = classify(title, content)
                if topic is None:
                    continue
                source.requests.setdefault(topic, []).append(
                    (_clip(title, TITLE_LIMIT), _clip(content, CONTENT_LIMIT))
                )
                reply = localise(row.get("答复意见") or "")
                if reply:
                    source.replies.setdefault(topic, []).append(_clip(reply, REPLY_LIMIT))
    return source
