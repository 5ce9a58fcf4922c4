"""The ACSM metabolic equations for walking and running on a treadmill, written once.

VO2 (ml/kg/min) = 3.5 + horizontal + vertical, with 0.1 and 1.8 (walking) or 0.2 and 0.9
(running) ml/kg per metre of belt and of climb; a MET is 3.5 ml/kg/min. The simulated
treadmill counts its energy with them, and the history's estimate starts from them.
Which speed counts as running is the caller's: the equations leave a gap between brisk
walking and running that models fill differently.
"""

from __future__ import annotations

RESTING_MET = 1.0
ML_O2_PER_MET = 3.5


def acsm_met(speed_kmh: float, incline_pct: float, *, running_from_kmh: float) -> float:
    """METs at ``speed_kmh`` up ``incline_pct`` (a downhill grade counts as level)."""
    if speed_kmh <= 0:
        return RESTING_MET
    m_per_min = speed_kmh * 1000 / 60
    grade = max(incline_pct, 0.0) / 100
    if speed_kmh < running_from_kmh:
        vo2 = ML_O2_PER_MET + 0.1 * m_per_min + 1.8 * m_per_min * grade
    else:
        vo2 = ML_O2_PER_MET + 0.2 * m_per_min + 0.9 * m_per_min * grade
    return vo2 / ML_O2_PER_MET
