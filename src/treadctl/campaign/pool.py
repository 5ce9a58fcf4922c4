"""Running campaign cases in several processes (the long campaign uses both cores)."""

from __future__ import annotations

import multiprocessing

from treadctl.campaign.case import make_case
from treadctl.campaign.run import CaseResult, run_case
from treadctl.clock import run as run_on_virtual_time_loop


def _run_range(args: tuple[int, int, float]) -> list[CaseResult]:
    start, count, builtin_share = args

    async def run_all() -> list[CaseResult]:
        return [
            await run_case(make_case(seed, builtin_share=builtin_share))
            for seed in range(start, start + count)
        ]

    # The loop `treadctl replay` runs on (the CI sample in tests/ runs on pytest's loop,
    # with the clock's driver task: both ways of moving virtual time are judged).
    return run_on_virtual_time_loop(run_all())


def run_campaign(
    start: int, seeds: int, *, jobs: int = 1, builtin_share: float = 0.0
) -> list[CaseResult]:
    """Run seeds ``start .. start+seeds-1``, in ``jobs`` processes."""
    if jobs <= 1:
        return _run_range((start, seeds, builtin_share))
    chunk = max(1, min(50, seeds // (jobs * 4) or 1))
    ranges = [
        (s, min(chunk, start + seeds - s), builtin_share)
        for s in range(start, start + seeds, chunk)
    ]
    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        return [r for part in pool.imap(_run_range, ranges) for r in part]
