"""``.zwo`` files through ``run``, ``replay`` and ``profiles``: a reference speed from the
command line or the settings, durations read as asked, ramps on the treadmill's grid."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from treadctl.cli import main
from treadctl.client import TreadmillClient
from treadctl.clock import Clock
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sessions import read_session
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.workout.ports import Treadmill
from treadctl.workout.profile import flatten

from .conftest import WriteFile

TEMPO = """<workout_file><name>Tempo</name><sportType>run</sportType><workout>
<Warmup Duration="60" PowerLow="0.5" PowerHigh="0.7" pace="1"/>
<SteadyState Duration="30" Power="0.8" pace="1"/>
</workout></workout_file>"""

METRES = """<workout_file><name>Metres</name><description>1.00 km warming up</description>
<workout><SteadyState Duration="1000" Power="1.0"/></workout></workout_file>"""


def test_run_and_replay_offer_the_zwo_options(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("run", "replay"):
        with pytest.raises(SystemExit) as done:
            main([command, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert "--reference-speed KMH" in out
        assert "--zwo-durations {time,distance}" in out


def test_replay_a_zwo_with_a_reference_speed(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file("tempo.zwo", TEMPO)
    assert main(["replay", str(path), "--reference-speed", "10"]) == 0
    out = capsys.readouterr().out
    assert "workout completed" in out
    assert "backward       00:00" in out


def test_replay_a_zwo_without_a_reference_says_how_to_give_one(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile, config_path: Path
) -> None:
    path = write_file("tempo.zwo", TEMPO)
    assert main(["replay", str(path)]) == 2
    err = capsys.readouterr().err
    assert 'tempo.zwo: workout steps 1, 2 ask for your 5 km pace (pace="1")' in err
    assert "--reference-speed KMH" in err
    assert f"zwo_pace_5k_kmh in {config_path} (TREADCTL_ZWO_PACE_5K_KMH)" in err


def test_replay_a_zwo_with_the_pace_from_the_settings(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile, config_path: Path
) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("zwo_pace_5k_kmh = 11.0\n")
    path = write_file("tempo.zwo", TEMPO)
    assert main(["replay", str(path)]) == 0
    assert "workout completed" in capsys.readouterr().out


def test_run_a_zwo_on_the_simulator(tmp_path: Path, write_file: WriteFile) -> None:
    path = write_file("tempo.zwo", TEMPO)
    log = tmp_path / "tempo.jsonl"
    args = ["run", str(path), "--sim", "--headless", "--time-factor", "200", "--log", str(log)]
    assert main([*args, "--reference-speed", "10"]) == 0
    session = read_session(log)
    started = session.of_type("segment_started")
    # Two 30 s steps of the 60 s ramp from 5 to 7 km/h, each at its middle.
    assert [(e["label"], e["speed_kmh"]) for e in started] == [
        ("Warmup 1 step 1/2", 5.5),
        ("Warmup 1 step 2/2", 6.5),
        ("SteadyState 2", 8.0),
    ]
    assert session.of_type("finished")[0]["summary"]["completed"]


def test_a_bad_reference_speed_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file("tempo.zwo", TEMPO)
    with pytest.raises(SystemExit) as done:
        main(["replay", str(path), "--reference-speed", "-3"])
    assert done.value.code == 2
    assert "-3 km/h: give a speed above 0, at most 30" in capsys.readouterr().err


def test_profiles_show_reads_metres_when_asked(
    capsys: pytest.CaptureFixture[str], write_file: WriteFile
) -> None:
    path = write_file("metres.zwo", METRES)
    args = ["profiles", "show", str(path), "--reference-speed", "12"]
    assert main(args) == 0
    assert "16m40s" in capsys.readouterr().out  # 1000 read as seconds
    assert main([*args, "--zwo-durations", "distance"]) == 0
    out = capsys.readouterr().out
    assert "(segments alone 5m)" in out  # 1 km at 12 km/h
    assert "Durations are metres" in out


@contextlib.asynccontextmanager
async def _coarse_treadmill(clock: Clock) -> AsyncIterator[Treadmill]:
    """A simulated treadmill whose speed goes in steps of 0.5 km/h."""
    sim = SimTreadmill(clock, SimConfig(name="coarse", speed_increment_kmh=0.5))
    client = TreadmillClient(LoopbackLink(sim, clock), clock)
    async with sim.running():
        try:
            yield Treadmill(client, "simulator", "coarse", sim.config.address, sim)
        finally:
            await client.aclose()


async def test_a_ramp_runs_in_the_treadmills_own_speed_steps(write_file: WriteFile) -> None:
    path = write_file(
        "ramp.zwo",
        '<workout_file><workout><Warmup Duration="600" PowerLow="0.5" PowerHigh="0.7"/>'
        "</workout></workout_file>",
    )
    options = WorkoutOptions(
        profile=str(path),
        settings=load_settings(zwo_reference_speed_kmh=10.0),
        speed="max",
        treadmill=_coarse_treadmill,
    )
    result = await run_workout(options)
    speeds = [f.speed_kmh for f in flatten(result.profile)]
    assert speeds == [5.5, 6.0, 6.5, 7.0]
    assert not [note for note in result.timeline.adjustments if "on this treadmill" in note]
    assert result.summary.completed
