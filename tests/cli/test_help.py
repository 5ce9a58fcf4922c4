"""Every command's --help is plain text, says what the command is, and bad options say
what would do."""

from __future__ import annotations

import argparse

import pytest

from treadctl.cli import build_parser, main
from treadctl.commands import COMMANDS
from treadctl.sim import Quirk


def every_parser() -> list[tuple[str, argparse.ArgumentParser]]:
    """Each command's parser and each of its actions' (``sessions list``, ...)."""
    found: list[tuple[str, argparse.ArgumentParser]] = []

    def walk(name: str, parser: argparse.ArgumentParser) -> None:
        found.append((name, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    walk(f"{name} {sub_name}".strip(), sub)

    walk("", build_parser([], full=True))
    return found


PARSERS = every_parser()


def test_every_command_is_walked() -> None:
    names = {name for name, _ in PARSERS}
    assert {c.name for c in COMMANDS} <= names
    assert {"sessions list", "sessions show", "profiles show"} <= names


@pytest.mark.parametrize(("name", "parser"), PARSERS, ids=[n or "treadctl" for n, _ in PARSERS])
def test_help_has_no_rst_markup_and_a_description(
    name: str, parser: argparse.ArgumentParser
) -> None:
    text = parser.format_help()
    assert "``" not in text
    assert ":class:" not in text
    assert ":func:" not in text
    assert parser.description, f"treadctl {name} --help has no description"


def test_help_through_main_is_plain(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["profiles", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "treadctl profiles list|show|check" in out
    assert "``" not in out


def test_sessions_help_says_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sessions", "--help"])
    out = capsys.readouterr().out
    assert "recorded" in out
    assert "real, rehearsal, replay" in out


def test_a_bad_quirk_lists_the_quirks(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["replay", "first-steps", "--quirk", "bogus"])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "no quirk 'bogus'" in err
    for quirk in Quirk:
        assert quirk.value in err


def test_a_good_quirk_still_works(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "first-steps", "--quirk", "speed-locked"]) == 0
    assert "safety events  2" in capsys.readouterr().out
