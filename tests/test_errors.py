"""One error root: every error treadctl raises on purpose is a TreadctlError."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import treadctl
from treadctl.bluetooth.errors import READ_ONLY_MESSAGE, DeviceNotFound, describe_error
from treadctl.client.errors import MissingCharacteristic, ProcedureRejected, rejection
from treadctl.errors import TreadctlError
from treadctl.ftms.control_point import ControlOp, ResultCode
from treadctl.workout.profile import ProfileError


def every_module() -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(treadctl.__path__, "treadctl.")
        if not info.name.endswith("__main__")
    ]


def test_every_exception_class_of_treadctl_has_the_one_root() -> None:
    strays = []
    seen = 0
    for name in every_module():
        module = importlib.import_module(name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and value.__module__ == name
            ):
                seen += 1
                if not issubclass(value, TreadctlError):
                    strays.append(f"{name}.{value.__name__}")
    assert seen > 30  # the walk found the errors at all
    assert strays == []


def test_describe_gives_the_message_and_the_hint() -> None:
    error = TreadctlError("the belt did not start", hint="press Start on the console")
    assert str(error) == "the belt did not start"
    assert error.describe() == "the belt did not start\n  what to do: press Start on the console"
    assert TreadctlError("plain").describe() == "plain"
    assert "treadctl scan" in DeviceNotFound("No treadmill named 'x'.").describe()  # class hint


def test_a_read_only_treadmill_is_told_from_fields_not_from_its_message() -> None:
    error = MissingCharacteristic("UREVO", "control point", "any wording at all")
    assert describe_error(error) == READ_ONLY_MESSAGE.format(name="UREVO")
    no_ftms = MissingCharacteristic("Watch", "service", "Watch has no FTMS")
    assert "Fitness Machine Service" in describe_error(no_ftms)


def test_structured_fields_of_a_rejected_procedure() -> None:
    error = rejection(int(ControlOp.SET_TARGET_SPEED), int(ResultCode.INVALID_PARAMETER))
    assert isinstance(error, ProcedureRejected)
    assert (error.op, error.result_code) == (ControlOp.SET_TARGET_SPEED, 3)


def test_a_profile_error_keeps_its_problems_and_hint() -> None:
    error = ProfileError("walk.toml", ["segment 1, field speed_kmh: too fast"], hint="slow down")
    assert error.problems == ("segment 1, field speed_kmh: too fast",)
    assert error.hint == "slow down"
    assert error.describe() == str(error)
    assert str(error).splitlines() == [
        "walk.toml: segment 1, field speed_kmh: too fast",
        "slow down",
    ]


def test_the_command_line_prints_an_unhandled_error_without_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from treadctl import cli  # noqa: PLC0415
    from treadctl.commands import sessions  # noqa: PLC0415

    def broken(_args: object) -> int:
        raise TreadctlError("the history is damaged", hint="move the file away")

    monkeypatch.setattr(sessions, "handle_list", broken)
    assert cli.main(["sessions", "list"]) == 1
    err = capsys.readouterr().err
    assert err == "treadctl sessions: the history is damaged\n  what to do: move the file away\n"
