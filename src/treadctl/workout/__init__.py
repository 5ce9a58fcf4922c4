"""The workout engine: profiles, the timeline compiler, the runner and its safety parts.

Import from the modules themselves (``treadctl.workout.runner``, ...): this package
imports nothing, so a command pays only for the parts it uses.
"""
