"""Treadmill Data decode throughput: treadctl against pyftms, side by side in one process.

Both decoders get the same byte strings (a mix of realistic notifications built with
treadctl's encoder), are checked to agree on the values before anything is timed, and
are timed by the same loop: best of ``--repeats`` runs of about ``--seconds`` each.

pyftms needs Python 3.12 or newer. When it cannot be imported here, this script finds a
3.12+ interpreter, makes ``bench/.venv-pyftms`` with it, installs pyftms and this
checkout of treadctl (editable) into it, and runs itself again inside that venv. If that
cannot be done, treadctl is measured alone and the reason is printed.

    .venv/bin/python bench/decode_throughput.py [--json] [--profile] [--no-pyftms]

Goal (from the issue): treadctl decodes at least 10 times as many records per second as
pyftms. This is a benchmark, not a test: it reports, it does not assert.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import importlib
import io
import json
import math
import os
import pstats
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from _benchkit import REPO_ROOT, fmt_rate, fmt_us, machine_info, machine_lines, table
from treadctl.ftms import (
    TreadmillData,
    TreadmillDataAssembler,
    decode_treadmill_data,
    encode_treadmill_data,
)

GOAL_RATIO = 10.0
#: Default ATT MTU 23 leaves 20 bytes per notification, as on most treadmills.
PACKET_LEN = 20
REEXEC_ENV = "TREADCTL_BENCH_PYFTMS_VENV"
DEFAULT_SPEC = "pyftms"
MIN_PYTHON = (3, 12)
#: pyftms 0.4 declares Requires-Python <3.14; interpreters below this are tried first.
PREFERRED_BELOW = (3, 14)
MARKER = "treadctl-bench.json"

Decoder = Callable[[bytes], object]


def log(message: str) -> None:
    print(f"decode_throughput: {message}", file=sys.stderr, flush=True)


# -- corpus ----------------------------------------------------------------------------


def _sim_record(rng: random.Random, i: int, *, heart_rate: bool) -> TreadmillData:
    """What the simulator sends: every field it has, split over two 20-byte packets."""
    speed = round(rng.uniform(1.0, 6.5), 2)
    elapsed = 30 + 2 * i
    incline = rng.randrange(0, 21) / 2
    met = round(1.0 + speed * 0.6 + incline * 0.15, 1)
    values: dict[str, Any] = {
        "speed_kmh": speed,
        "avg_speed_kmh": round(speed * rng.uniform(0.8, 1.0), 2),
        "distance_m": int(speed / 3.6 * elapsed),
        "incline_pct": incline,
        "ramp_angle_deg": None,
        "elevation_gain_m": round(rng.uniform(0.0, 60.0), 1),
        "elevation_loss_m": 0.0,
        "energy_kcal": elapsed // 12,
        "energy_per_hour_kcal": int(met * 70),
        "energy_per_minute_kcal": int(met * 70 / 60),
        "met": met,
        "elapsed_s": elapsed,
    }
    if heart_rate:
        values["heart_rate_bpm"] = rng.randrange(85, 165)
    return TreadmillData.of(**values)


def _compact_record(rng: random.Random, i: int) -> TreadmillData:
    """One packet: speed, distance, incline and ramp, energy, elapsed (18 bytes)."""
    speed = round(rng.uniform(1.0, 6.5), 2)
    elapsed = 60 + 3 * i
    return TreadmillData.of(
        speed_kmh=speed,
        distance_m=int(speed / 3.6 * elapsed),
        incline_pct=rng.randrange(0, 31) / 2,
        ramp_angle_deg=None,
        energy_kcal=elapsed // 10,
        energy_per_hour_kcal=rng.randrange(150, 600),
        energy_per_minute_kcal=rng.randrange(2, 10),
        elapsed_s=elapsed,
    )


def _heart_rate_record(rng: random.Random, i: int) -> TreadmillData:
    """A console with a chest strap: speed, distance, heart rate, elapsed."""
    speed = round(rng.uniform(1.0, 6.5), 2)
    elapsed = 90 + i
    return TreadmillData.of(
        speed_kmh=speed,
        distance_m=int(speed / 3.6 * elapsed),
        heart_rate_bpm=rng.randrange(80, 170),
        elapsed_s=elapsed,
    )


def _walking_pad_record(rng: random.Random, i: int) -> TreadmillData:
    """A walking pad: speed, distance, total energy, elapsed and the bit-13 step count."""
    speed = round(rng.uniform(1.0, 6.0), 2)
    elapsed = 120 + 2 * i
    return TreadmillData.of(
        speed_kmh=speed,
        distance_m=int(speed / 3.6 * elapsed),
        energy_kcal=elapsed // 15,
        elapsed_s=elapsed,
        steps=int(speed / 3.6 * elapsed / 0.65),
    )


def _speed_only_record(rng: random.Random, i: int) -> TreadmillData:
    """The smallest record: Instantaneous Speed alone (4 bytes)."""
    return TreadmillData.of(speed_kmh=round(rng.uniform(0.5, 6.5), 2))


KINDS: tuple[tuple[str, Callable[[random.Random, int], TreadmillData]], ...] = (
    ("simulator record, split in 2", lambda rng, i: _sim_record(rng, i, heart_rate=False)),
    ("simulator record + HR, split in 2", lambda rng, i: _sim_record(rng, i, heart_rate=True)),
    ("speed+distance+incline+energy+elapsed", _compact_record),
    ("speed+distance+HR+elapsed", _heart_rate_record),
    ("walking pad with bit-13 steps", _walking_pad_record),
    ("speed only", _speed_only_record),
)


@dataclass
class Corpus:
    packets: list[bytes]
    """Notifications in the order a client would receive them."""
    sources: list[TreadmillData]
    """The record each packet was cut from."""
    kinds: list[str]
    records: int
    """Complete records: packets with More Data clear."""


def build_corpus(records_per_kind: int = 40, seed: int = 2024) -> Corpus:
    rng = random.Random(seed)
    packets: list[bytes] = []
    sources: list[TreadmillData] = []
    kinds: list[str] = []
    records = 0
    # Interleave the kinds, as records from a mixed fleet would arrive in a replay.
    for i in range(records_per_kind):
        for name, make in KINDS:
            record = make(rng, i)
            for packet in encode_treadmill_data(record, max_packet_len=PACKET_LEN):
                packets.append(packet)
                sources.append(record)
                kinds.append(name)
            records += 1
    return Corpus(packets, sources, kinds, records)


# -- pyftms: found, or made available in a venv of its own ------------------------------


@dataclass
class Pyftms:
    version: str
    public: Decoder
    """``get_serializer(TreadmillData).deserialize``: what pyftms's own client calls."""
    private: Decoder
    """``TreadmillData._deserialize(BytesIO(data))``: the same minus a type check."""
    client_path: Decoder
    """``deserialize(data)._asdict()``: what its notification handler does per packet."""


def load_pyftms() -> Pyftms:
    """Import pyftms and pick out its Treadmill Data decoding entry points.

    Raises:
        ImportError: pyftms is not installed.
        AttributeError: it has no ``TreadmillData`` model or ``get_serializer``.
    """
    models = importlib.import_module("pyftms.models")
    serializers = importlib.import_module("pyftms.serializer")
    pyftms_data = models.TreadmillData
    serializer = serializers.get_serializer(pyftms_data)
    public: Decoder = serializer.deserialize
    model_deserialize = pyftms_data._deserialize
    bytes_io = io.BytesIO

    def private(data: bytes) -> object:
        return model_deserialize(bytes_io(data))

    def client_path(data: bytes) -> object:
        result: object = serializer.deserialize(data)._asdict()
        return result

    return Pyftms(metadata.version("pyftms"), public, private, client_path)


def _venv_dir(spec: str) -> Path:
    base = REPO_ROOT / "bench" / ".venv-pyftms"
    if spec == DEFAULT_SPEC:
        return base
    return base.with_name(base.name + "-" + re.sub(r"[^A-Za-z0-9.]+", "_", spec).strip("_"))


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _probe(exe: str) -> tuple[int, int] | str:
    """The (major, minor) version ``exe`` runs, or why it did not run."""
    try:
        proc = subprocess.run(
            [exe, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode != 0:
        first = (proc.stderr.strip().splitlines() or [""])[0]
        return f"exit {proc.returncode}: {first}".strip()
    try:
        major, minor = proc.stdout.split()
        return int(major), int(minor)
    except ValueError:
        return f"unexpected version output {proc.stdout.strip()!r}"


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name)[:3])


def _candidates(explicit: str | None) -> list[str]:
    """Interpreters that may be Python 3.12+: PATH first, then pyenv's installs.

    Only ``explicit`` when one was given with ``--python``.
    """
    if explicit:
        return [explicit]
    found: list[str] = []
    for name in ("python3.13", "python3.12"):
        path = shutil.which(name)
        if path:
            found.append(path)
    # A pyenv shim on PATH fails unless that version is selected; the install behind it
    # works regardless.
    pyenv_root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    versions = pyenv_root / "versions"
    if versions.is_dir():
        dirs = [d for d in versions.iterdir() if re.fullmatch(r"3\.\d+\.\d+", d.name)]
        for d in sorted(dirs, key=lambda d: _version_key(d.name), reverse=True):
            exe = d / "bin" / "python3"
            if _version_key(d.name)[:2] >= MIN_PYTHON and exe.exists():
                found.append(str(exe))
    path3 = shutil.which("python3")
    if path3:
        found.append(path3)
    return list(dict.fromkeys(found))


def find_interpreters(explicit: str | None) -> tuple[list[tuple[str, str]], list[str]]:
    """Python 3.12+ interpreters to build the venv with, best first (one per version),
    and a note on every candidate probed."""
    tried: list[str] = []
    usable: dict[tuple[int, int], tuple[bool, int, str]] = {}
    for order, exe in enumerate(_candidates(explicit)):
        result = _probe(exe)
        if isinstance(result, str):
            tried.append(f"{exe} ({result})")
            continue
        tried.append(f"{exe} ({result[0]}.{result[1]})")
        if result >= MIN_PYTHON and result not in usable:
            usable[result] = (result >= PREFERRED_BELOW, order, exe)
    ranked = sorted((rank, version) for version, rank in usable.items())
    return [(rank[2], f"{v[0]}.{v[1]}") for rank, v in ranked], tried


def _venv_ready(python: Path, spec: str) -> bool:
    """Whether ``python`` runs 3.12+ and has pyftms and this checkout of treadctl."""
    marker = python.parent.parent / MARKER
    try:
        wanted = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if wanted != {"spec": spec, "repo": str(REPO_ROOT)}:
        return False
    code = (
        "import sys, pyftms, treadctl; print(sys.version_info >= (3, 12)); print(treadctl.__file__)"
    )
    try:
        proc = subprocess.run(
            [str(python), "-c", code], capture_output=True, text=True, timeout=120, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    lines = proc.stdout.split("\n")
    return (
        proc.returncode == 0
        and len(lines) > 1
        and lines[0] == "True"
        and Path(lines[1]).resolve().is_relative_to(REPO_ROOT / "src")
    )


def _pip_error(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [
        line.strip()
        for line in (proc.stderr + "\n" + proc.stdout).splitlines()
        if line.strip() and not line.lstrip().startswith("WARNING:")
    ]
    return lines[-1] if lines else "no output"


def _install(python: Path, spec: str) -> str | None:
    """pip install ``spec`` and this checkout (editable) with ``python``; None or why not."""
    venv = python.parent.parent
    rel = venv.relative_to(REPO_ROOT)
    log(f"installing {spec} and treadctl (editable, {REPO_ROOT}) into {rel}")
    cmd = [
        str(python),
        *("-m", "pip", "install", "--disable-pip-version-check", "--quiet"),
        *(spec, "--editable", str(REPO_ROOT)),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"pip install failed: {exc}"
    if proc.returncode != 0:
        return f"pip install {spec} failed (exit {proc.returncode}): {_pip_error(proc)}"
    marker = {"spec": spec, "repo": str(REPO_ROOT)}
    (venv / MARKER).write_text(json.dumps(marker) + "\n", encoding="utf-8")
    if not _venv_ready(python, spec):
        return "pyftms and treadctl still not importable after installing"
    return None


def prepare_venv(spec: str, explicit_python: str | None) -> Path | str:
    """The venv's python, ready to run this script with pyftms; or why it is not.

    Reuses the venv when it is ready; otherwise installs into it, and if that fails,
    rebuilds it with each 3.12+ interpreter found in turn (a pyftms release may accept
    only some Python versions).
    """
    venv = _venv_dir(spec)
    python = _venv_python(venv)
    rel = venv.relative_to(REPO_ROOT)
    if _venv_ready(python, spec):
        return python
    failures: list[str] = []
    done: set[str] = set()
    probe = _probe(str(python)) if python.exists() else "missing"
    if not isinstance(probe, str) and probe >= MIN_PYTHON:
        version = f"{probe[0]}.{probe[1]}"
        done.add(version)
        if (error := _install(python, spec)) is None:
            return python
        failures.append(f"Python {version}: {error}")
    interpreters, tried = find_interpreters(explicit_python)
    if not interpreters and not failures:
        return "no Python 3.12+ interpreter found; tried " + "; ".join(tried or ["nothing"])
    for exe, version in interpreters:
        if version in done:
            continue
        log(f"creating {rel} with {exe} (Python {version})")
        cmd = [exe, "-m", "venv", "--clear", str(venv)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            failures.append(f"Python {version}: could not create {rel}: {exc}")
            continue
        if proc.returncode != 0:
            failures.append(f"Python {version}: could not create {rel}: {_pip_error(proc)}")
            continue
        if (error := _install(python, spec)) is None:
            return python
        failures.append(f"Python {version}: {error}")
    return f"could not set up {rel}: " + "; ".join(failures)


def reexec_in(python: Path) -> None:
    """Replace this process with the same script and arguments under ``python``."""
    log(f"running again under {python.relative_to(REPO_ROOT)}")
    env = dict(os.environ, **{REEXEC_ENV: str(python)})
    argv = [str(python), str(Path(__file__).resolve()), *sys.argv[1:]]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(python, argv, env)


def obtain_pyftms(args: argparse.Namespace) -> tuple[Pyftms | None, str | None]:
    """pyftms's decoders, or why the comparison is skipped (may re-exec in a venv)."""
    if args.no_pyftms:
        return None, "disabled with --no-pyftms"
    try:
        return load_pyftms(), None
    except ImportError as exc:
        problem = f"pyftms is not importable under Python {sys.version.split()[0]} ({exc})"
    except AttributeError as exc:
        return None, f"pyftms {metadata.version('pyftms')} lacks the API used here ({exc})"
    if os.environ.get(REEXEC_ENV):
        return None, f"{problem}, even inside {sys.prefix}"
    log(problem)
    prepared = prepare_venv(args.pyftms_spec, args.python)
    if isinstance(prepared, str):
        return None, prepared
    reexec_in(prepared)
    raise AssertionError("unreachable: exec returned")


# -- agreement -------------------------------------------------------------------------

#: treadctl field -> attribute path on pyftms's TreadmillData.
PAIRS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("speed_kmh", ("speed_instant",)),
    ("avg_speed_kmh", ("speed_average",)),
    ("distance_m", ("distance_total",)),
    ("incline_pct", ("inclination", "inclination")),
    ("elevation_gain_m", ("elevation_gain", "elevation_gain_positive")),
    ("energy_kcal", ("energy", "energy_total")),
    ("heart_rate_bpm", ("heart_rate",)),
    ("met", ("metabolic_equivalent",)),
    ("elapsed_s", ("time_elapsed",)),
    ("steps", ("step_count",)),
)


def _dig(obj: object, path: Sequence[str]) -> object:
    for name in path:
        if obj is None:
            return None
        obj = getattr(obj, name, None)
    return obj


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


#: Fields the two decoders must agree on before their speeds are worth comparing.
REQUIRED = ("speed_kmh", "distance_m")
#: Differences read off pyftms's source, reported but not counted as mismatches.
KNOWN_DIFFERENCES = {
    "elevation_gain_m": (
        "pyftms declares ElevationGainData's fields as int and applies int() to the "
        "0.1 m value, so 53.2 m comes out as 53"
    ),
}


@dataclass
class Agreement:
    packets: int = 0
    required: tuple[str, ...] = REQUIRED
    also_compared: list[str] = field(default_factory=list)
    mismatches: list[str] = field(default_factory=list)
    """Required fields that differ, pyftms errors, treadctl not decoding what was encoded."""
    differences: dict[str, int] = field(default_factory=dict)
    """Other fields that differ: packets per field."""
    examples: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def difference_lines(self) -> list[str]:
        lines = []
        for name, count in self.differences.items():
            why = KNOWN_DIFFERENCES.get(name, "!!! not explained")
            lines.append(f"{name} differs in {count} packets ({self.examples[name]}): {why}")
        return lines


def check_agreement(corpus: Corpus, pyftms: Pyftms | None) -> Agreement:
    """treadctl against the encoded values, and pyftms against treadctl, per packet."""
    result = Agreement(
        len(corpus.packets), also_compared=[n for n, _ in PAIRS if n not in REQUIRED]
    )
    for n, (packet, source) in enumerate(zip(corpus.packets, corpus.sources, strict=True)):
        where = f"packet {n} ({corpus.kinds[n]}) {packet.hex()}"
        ours = decode_treadmill_data(packet)
        for name in ours.present:
            if not _same(getattr(ours, name), getattr(source, name)):
                result.mismatches.append(
                    f"{where}: treadctl {name}={getattr(ours, name)!r}, "
                    f"encoded {getattr(source, name)!r}"
                )
        if pyftms is None:
            continue
        try:
            theirs = pyftms.public(packet)
        except Exception as exc:  # report any failure of the other decoder, then go on
            result.mismatches.append(f"{where}: pyftms raised {type(exc).__name__}: {exc}")
            continue
        for name, path in PAIRS:
            a, b = getattr(ours, name), _dig(theirs, path)
            if _same(a, b):
                continue
            if name in REQUIRED:
                result.mismatches.append(f"{where}: {name}: treadctl {a!r}, pyftms {b!r}")
            else:
                result.differences[name] = result.differences.get(name, 0) + 1
                result.examples.setdefault(name, f"e.g. treadctl {a!r}, pyftms {b!r}")
    return result


# -- timing ----------------------------------------------------------------------------


def _run(decode: Decoder, packets: Sequence[bytes], passes: int) -> float:
    start = time.perf_counter()
    for _ in range(passes):
        for data in packets:
            decode(data)
    return time.perf_counter() - start


@dataclass
class Timing:
    name: str
    role: str
    """"treadctl", "pyftms", or "context" (not part of the goal)."""
    passes: int
    packets_per_pass: int
    records_per_pass: int
    runs_s: list[float]

    @property
    def best_s(self) -> float:
        return min(self.runs_s)

    @property
    def packets_per_s(self) -> float:
        return self.passes * self.packets_per_pass / self.best_s

    @property
    def records_per_s(self) -> float:
        return self.passes * self.records_per_pass / self.best_s

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "best_s": self.best_s,
            "packets_per_s": self.packets_per_s,
            "records_per_s": self.records_per_s,
            "us_per_packet": 1e6 / self.packets_per_s,
        }


def measure(
    name: str, role: str, decode: Decoder, corpus: Corpus, *, run_s: float, repeats: int
) -> Timing:
    """Best of ``repeats`` runs, each as many passes over the corpus as fill ``run_s``."""
    _run(decode, corpus.packets, 1)  # warm caches (treadctl's layout cache, pyftms's)
    passes = 1
    while (elapsed := _run(decode, corpus.packets, passes)) < run_s / 10:
        passes *= 2
    passes = max(1, round(passes * run_s / elapsed))
    runs = [_run(decode, corpus.packets, passes) for _ in range(repeats)]
    return Timing(name, role, passes, len(corpus.packets), corpus.records, runs)


def treadctl_client_path() -> Decoder:
    assembler = TreadmillDataAssembler()
    feed = assembler.feed

    def decode(data: bytes) -> object:
        return feed(decode_treadmill_data(data))

    return decode


def profile_treadctl(corpus: Corpus, passes: int = 200, top: int = 18) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    _run(decode_treadmill_data, corpus.packets, passes)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# -- report ----------------------------------------------------------------------------


def corpus_rows(corpus: Corpus) -> list[list[str]]:
    rows = []
    for name, _ in KINDS:
        sizes = [len(p) for p, k in zip(corpus.packets, corpus.kinds, strict=True) if k == name]
        rows.append([name, str(len(sizes)), f"{min(sizes)}-{max(sizes)}"])
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--seconds", type=float, default=0.5, help="length of one run")
    parser.add_argument("--repeats", type=int, default=5, help="runs per decoder (best counts)")
    parser.add_argument("--records", type=int, default=40, help="records of each kind")
    parser.add_argument("--no-pyftms", action="store_true", help="measure treadctl alone")
    parser.add_argument(
        "--pyftms-spec",
        default=DEFAULT_SPEC,
        help="what to pip install for the comparison (default: the latest pyftms)",
    )
    parser.add_argument("--python", help="a Python 3.12+ to build the pyftms venv with")
    parser.add_argument("--profile", action="store_true", help="cProfile treadctl's decoder")
    args = parser.parse_args(argv)

    pyftms, skipped = obtain_pyftms(args)
    if skipped is not None and args.json:
        print(f"pyftms comparison skipped: {skipped}", file=sys.stderr)
    corpus = build_corpus(args.records)
    agreement = check_agreement(corpus, pyftms)
    for line in agreement.mismatches[:20]:
        print(f"!!! MISMATCH {line}", file=sys.stderr)
    for line in agreement.difference_lines():
        if "!!!" in line:
            print(f"!!! UNEXPLAINED DIFFERENCE {line}", file=sys.stderr)
    if not agreement.ok:
        print(
            f"!!! {len(agreement.mismatches)} MISMATCHES: the decoders disagree on "
            f"{', '.join(REQUIRED)} (or treadctl does not decode what it encoded); "
            "the figures below compare decoders that do not do the same work",
            file=sys.stderr,
        )

    def timed(name: str, role: str, decode: Decoder) -> Timing:
        if not args.json:
            print(f"  timing {name} ...", file=sys.stderr, flush=True)
        return measure(name, role, decode, corpus, run_s=args.seconds, repeats=args.repeats)

    timings = [timed("treadctl decode_treadmill_data(bytes)", "treadctl", decode_treadmill_data)]
    if pyftms is not None:
        timings.append(
            timed(
                "pyftms get_serializer(TreadmillData).deserialize(bytes)", "pyftms", pyftms.public
            )
        )
        timings.append(
            timed("pyftms TreadmillData._deserialize(BytesIO)", "pyftms", pyftms.private)
        )
    timings.append(
        timed(
            "context: treadctl decode + TreadmillDataAssembler", "context", treadctl_client_path()
        )
    )
    if pyftms is not None:
        timings.append(
            timed("context: pyftms deserialize + _asdict()", "context", pyftms.client_path)
        )

    ours = timings[0]
    baseline = max(
        (t for t in timings if t.role == "pyftms"), key=lambda t: t.packets_per_s, default=None
    )
    ratio = ours.packets_per_s / baseline.packets_per_s if baseline else None
    met = None if ratio is None else ratio >= GOAL_RATIO
    info = machine_info()
    profile = profile_treadctl(corpus) if args.profile else None

    if args.json:
        print(
            json.dumps(
                {
                    "benchmark": "decode_throughput",
                    "machine": info,
                    "pyftms": {
                        "version": pyftms.version if pyftms else None,
                        "spec": args.pyftms_spec,
                        "skipped": skipped,
                    },
                    "corpus": {
                        "packets": len(corpus.packets),
                        "records": corpus.records,
                        "bytes": sum(len(p) for p in corpus.packets),
                        "kinds": {r[0]: int(r[1]) for r in corpus_rows(corpus)},
                    },
                    "agreement": asdict(agreement),
                    "settings": {"seconds": args.seconds, "repeats": args.repeats},
                    "results": [t.as_dict() for t in timings],
                    "baseline": baseline.name if baseline else None,
                    "ratio": ratio,
                    "goal": {"ratio": GOAL_RATIO, "met": met},
                },
                indent=2,
            )
        )
        if profile:
            print(profile, file=sys.stderr)
        return 0

    print("Treadmill Data decode throughput: treadctl vs pyftms, one process")
    print()
    print("\n".join(machine_lines(info)))
    print(f"pyftms    {pyftms.version if pyftms else 'not loaded'}")
    print()
    print(
        f"corpus: {len(corpus.packets)} notifications = {corpus.records} complete records "
        f"({sum(len(p) for p in corpus.packets)} bytes), packets of at most {PACKET_LEN} bytes"
    )
    print(table(["kind", "packets", "bytes"], corpus_rows(corpus)))
    print()
    required = ", ".join(agreement.required)
    if not agreement.ok:
        print(f"agreement: !!! {len(agreement.mismatches)} MISMATCHES (listed on stderr)")
    elif pyftms is None:
        print(f"agreement: treadctl decodes what was encoded, all {agreement.packets} packets")
    else:
        print(
            f"agreement: treadctl and pyftms agree on {required} in all "
            f"{agreement.packets} packets; treadctl decodes what was encoded"
        )
        print(f"also compared: {', '.join(agreement.also_compared)}")
        for line in agreement.difference_lines():
            print(f"  {line}")
    print()
    print(
        f"timing: best of {args.repeats} runs of ~{args.seconds:g} s; "
        "records/s counts a split record once (its packets are all decoded)"
    )
    rows = [
        [
            t.name,
            fmt_rate(t.packets_per_s),
            fmt_rate(t.records_per_s),
            fmt_us(t.best_s / (t.passes * t.packets_per_pass)),
            f"{t.passes * t.packets_per_pass:,}",
        ]
        for t in timings
    ]
    print(table(["decoder", "packets/s", "records/s", "µs/packet", "packets/run"], rows))
    print()
    if skipped is not None:
        print(f"pyftms comparison skipped: {skipped}")
    elif ratio is not None and baseline is not None:
        verdict = "MET" if met else "NOT MET"
        print(f"ratio: treadctl / fastest pyftms path = {ratio:.1f}x")
        print(f"goal:  treadctl >= {GOAL_RATIO:g}x pyftms records/s: {verdict}")
    if profile:
        print()
        print("cProfile of treadctl decode_treadmill_data (by own time):")
        print(profile)
    return 0


if __name__ == "__main__":
    with contextlib.suppress(BrokenPipeError):
        sys.exit(main())
