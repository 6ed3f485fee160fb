"""Which rule wins (pure, no database)."""

from __future__ import annotations

from hotline.sla.rules import OrderFacts, Rule, RuleBook

COMPLAINT, INQUIRY = 3, 1
NORMAL, CRITICAL = 1, 3


def book() -> RuleBook:
    return RuleBook(
        [
            Rule(1, "acknowledge", 1, "working_days"),
            Rule(2, "acknowledge", 15, "minutes", urgency_id=CRITICAL),
            Rule(3, "acknowledge", 2, "working_days", request_type_id=COMPLAINT),
            Rule(4, "acknowledge", 30, "minutes", category_path="0001/"),
            Rule(5, "acknowledge", 20, "minutes", category_path="0001/0002/"),
            Rule(6, "acknowledge", 10, "minutes", urgency_id=CRITICAL, region_path="0009/"),
        ]
    )


def test_it_falls_back_to_the_rule_for_every_order():
    facts = OrderFacts(INQUIRY, NORMAL, "0005/", "0001/")
    assert book().rule_for("acknowledge", facts).pk == 1


def test_it_lets_urgency_beat_request_type():
    facts = OrderFacts(COMPLAINT, CRITICAL, "", "0001/")
    assert book().rule_for("acknowledge", facts).pk == 2


def test_it_prefers_the_deeper_category():
    assert book().rule_for("acknowledge", OrderFacts(INQUIRY, NORMAL, "0001/0002/0003/")).pk == 5
    assert book().rule_for("acknowledge", OrderFacts(INQUIRY, NORMAL, "0001/0007/")).pk == 4


def test_it_prefers_more_narrowing_fields():
    facts = OrderFacts(COMPLAINT, CRITICAL, "", "0009/0001/")
    assert book().rule_for("acknowledge", facts).pk == 6


def test_it_has_no_rule_for_an_unknown_clock():
    assert book().rule_for("callback", OrderFacts(INQUIRY, NORMAL)) is None
