"""Headless keys: each typed line gets one answer at once, saying what it did or why not."""

from __future__ import annotations

from pathlib import Path

from tests.headless.helpers import Session, headless_session
from treadctl.headless import KEYS, KEYS_HELP
from treadctl.sessions import read_session
from treadctl.sim import Quirk
from treadctl.workout.holds import RunState
from treadctl.workout.timeline import SegmentStep, TurnStep


def _in_segment(label: str):  # type: ignore[no-untyped-def]
    return lambda s: s.adjustable and isinstance(s.step, SegmentStep) and s.step.label == label


async def test_every_key_is_answered_with_what_it_did_or_why_not(tmp_path: Path) -> None:
    before_start: list[str] = []

    def early(session: Session) -> None:
        before_start.append(session.press("+"))

    async with headless_session(tmp_path, on_runner=early) as s:
        await s.until(_in_segment("Warm-up"))
        assert before_start == ["+ : the workout has not started yet"]
        assert s.press("+") == "+ : asking for 3.1 km/h"
        assert s.press("-") == "- : asking for 3.0 km/h"
        assert s.press("]") == "] : asking for 0.5 % incline"
        assert s.press("d") == "d : asking for 0 % incline"
        assert s.press("[") == "[ : at the lowest: incline stays at 0 %"
        assert s.press("") == "Enter : nothing waits for a confirm"
        assert s.press("a") == "a : no alert to acknowledge"
        assert s.press("r") == "r : not paused"
        # A line that is no key gets the keys, on one line.
        assert s.press("hello") == f"hello : not a key. {KEYS_HELP}"
        assert s.press("x") == f"x : not a key. {KEYS_HELP}"
        assert s.runner.status().state is RunState.RUNNING  # neither stopped anything
        assert s.press("p") == "p : pausing: the belt pauses, r resumes"
        assert s.press("p") == "p : already paused"
        assert s.press("+") == "+ : paused: r resumes"
        assert s.press("") == "Enter : paused by you: r resumes"
        assert s.press("r") == "r : resuming: the belt ramps up gently"
        await s.until(lambda st: isinstance(st.step, TurnStep))
        assert s.press("+") == "+ : turning"
        await s.until(_in_segment("Backward"))
        assert s.press("+") == "+ : at the ceiling: backward speed stays at 3.0 km/h"
        assert s.press("-") == "- : asking for 2.9 km/h"
        assert s.press("=") == "= : asking for 3.0 km/h (the ceiling)"
        # q pauses first, then a second q ends the workout.
        assert s.press("q") == "q : paused; q again ends the workout, r goes on"
        assert s.runner.status().paused
        assert s.press("q") == "q : STOP: stopping the belt, ending the workout"
        result = await s.result()
    assert result.summary.reason == "quit from the keyboard"
    session = read_session(result.log_path)
    assert [a[1] for a in session.user_actions()] == [
        "adjust_speed",
        "adjust_speed",
        "adjust_incline",
        "adjust_incline",
        "pause",
        "resume",
        "adjust_speed",
        "adjust_speed",
        "pause",
        "stop",
    ]


async def test_question_mark_lists_the_keys(tmp_path: Path) -> None:
    async with headless_session(tmp_path) as s:
        await s.until(_in_segment("Warm-up"))
        before = len(s.lines())
        s.keys("?\n")
        listed = [line.split("] ", 1)[1] for line in s.lines()[before:]]
    assert listed == [f"{key} : {what}" for key, what in KEYS]
    assert any(key.startswith("s ") for key, _ in KEYS)


async def test_a_line_of_spaces_stops_like_the_tuis_space_key(tmp_path: Path) -> None:
    async with headless_session(tmp_path) as s:
        await s.until(_in_segment("Warm-up"))
        assert s.press("   ") == "  : STOP: stopping the belt, ending the workout"
        result = await s.result()
    assert result.summary.reason == "stopped from the keyboard"
    assert read_session(result.log_path).commands()[-1][0] == "stop"


async def test_s_stops(tmp_path: Path) -> None:
    async with headless_session(tmp_path) as s:
        await s.until(_in_segment("Warm-up"))
        assert s.press("S") == "s : STOP: stopping the belt, ending the workout"
        result = await s.result()
    assert not result.summary.completed
    assert result.summary.reason == "stopped from the keyboard"


async def test_a_hold_says_enter_goes_on_and_a_acknowledges_its_alert(tmp_path: Path) -> None:
    # A belt that ignores speed commands: the runner holds the workout for the person.
    async with headless_session(tmp_path, quirks=[Quirk.SPEED_LOCKED]) as s:
        await s.until(lambda st: st.hold_waiting)
        reason = s.runner.status().pause_reason
        assert s.press("+") == f"+ : held ({reason}): Enter goes on"
        assert s.press("r") == f"r : held ({reason}): Enter goes on"
        alert = s.keys.printer.alerts[0]
        answer = s.press("a")
        assert answer.startswith(f"a : acknowledged {alert.hazard}: {alert.message}")
        assert alert not in s.keys.printer.alerts
        assert s.press("") == f"Enter : going on after the hold ({reason}): the belt ramps up"
        s.press("s")
        await s.result()


def test_every_key_is_in_the_docs_and_the_start_line() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    table = docs[docs.index("### Keys") : docs.index("### When nobody reads")]
    rows = [line for line in table.splitlines() if line.startswith("| ")]
    for key, _ in KEYS:
        first = key.split()[0]
        shown = first if first == "Enter" else f"`{first}`"
        assert any(row.startswith(f"| {shown}") for row in rows), key
        if first not in ("Enter", "?"):
            assert f"{first} = " in KEYS_HELP or f"{first}/" in KEYS_HELP, key
