"""Every management command of the platform answers --help (argparse needs a plain str help:
a lazy translation there crashes the help screen)."""

from __future__ import annotations

import pytest
from django.core.management import get_commands, load_command_class

OURS = sorted(name for name, app in get_commands().items() if app.startswith("hotline."))


def test_it_has_commands():
    assert {"seed_demo", "demo_logins", "bench"} <= set(OURS)


@pytest.mark.parametrize("name", OURS)
def test_it_prints_the_help_of(name, capsys):
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    help_text = parser.format_help()
    assert help_text.startswith("usage: manage.py " + name)
