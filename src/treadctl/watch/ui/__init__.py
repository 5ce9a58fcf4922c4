"""The Textual front end of ``treadctl watch``: the only part of the watch that imports Textual."""

from treadctl.watch.ui.app import WatchApp

__all__ = ["WatchApp"]
