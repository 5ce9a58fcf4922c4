"""The fault campaign: seeded replays with random faults, judged from the simulated belt.

``python -m treadctl.campaign --seeds 10000`` runs the long campaign; the test suite runs
a sample. See docs/safety.md, "The fault campaign".
"""
