"""``python -m treadctl.campaign``: run many seeded cases and print what the belt did.

Examples::

    python -m treadctl.campaign --seeds 10000 --jobs 2
    python -m treadctl.campaign --start 4711 --seeds 1 --verbose   # one case again

Exit code 0 when every case is clean, 1 when any case broke a promise, stalled, raised
or left an incomplete session log.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence

from treadctl.campaign.pool import run_campaign
from treadctl.campaign.run import CaseResult


def report(results: Sequence[CaseResult], wall_s: float) -> str:
    """The campaign's counts, for people and for CI logs."""
    outcomes = Counter(r.outcome for r in results)
    rules = Counter(v.rule for r in results for v in r.violations)
    faults: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    for r in results:
        faults.update(r.faults)
        actions.update(r.actions)
    bad = [r for r in results if not r.ok]
    workout_h = sum(r.workout_s for r in results) / 3600
    backward_h = sum(r.backward_s for r in results) / 3600
    lines = [
        f"fault campaign: {len(results)} seeds, {len(bad)} failed, "
        f"{workout_h:.1f} h of workouts ({backward_h:.1f} h backward, "
        f"{sum(r.turns for r in results)} turns) in {wall_s:.0f} s",
        "  outcomes:   " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())),
        "  stopped by: "
        + ", ".join(
            f"{k} {v}"
            for k, v in Counter(r.detail for r in results if r.outcome == "stopped").most_common()
        ),
        "  violations: " + (", ".join(f"{k} {v}" for k, v in sorted(rules.items())) or "none"),
        f"  faults:     {sum(faults.values())} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(faults.items()))
        + ")",
        f"  person:     {sum(actions.values())} ("
        + ", ".join(f"{k} {v}" for k, v in sorted(actions.items()))
        + ")",
        "  advisory:   "
        + ", ".join(
            f"{k} {v}" for k, v in sorted(Counter(r.outcome for r in results if r.advisory).items())
        )
        + f" ({sum(r.turns for r in results if r.advisory)} turns at the console)",
    ]
    for r in bad[:20]:
        first = str(r.violations[0]) if r.violations else r.detail
        lines.append(f"  FAILED seed {r.seed}: {r.outcome}: {first}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m treadctl.campaign",
        description="Seeded fault-injection replays, judged from the simulated belt.",
    )
    parser.add_argument("--seeds", type=int, default=300, help="how many cases (default 300)")
    parser.add_argument("--start", type=int, default=0, help="the first seed (default 0)")
    parser.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    parser.add_argument(
        "--builtin-share",
        type=float,
        default=0.1,
        help="share of cases that run a built-in profile instead of a generated one",
    )
    parser.add_argument("--verbose", action="store_true", help="a line per case")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    results = run_campaign(args.start, args.seeds, jobs=args.jobs, builtin_share=args.builtin_share)
    if args.verbose:
        for r in results:
            state = "ok  " if r.ok else "FAIL"
            print(f"{state} seed {r.seed}: {r.outcome} ({r.detail}) {r.wall_s:.2f} s")
            for v in r.violations[:5]:
                print(f"       {v}")
    print(report(results, time.perf_counter() - started))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
