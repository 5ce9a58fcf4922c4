"""The TUI's widgets, one per module."""

from treadctl.tui.widgets.alert_banner import AlertBanner
from treadctl.tui.widgets.big_number import BigNumber, DigitSize
from treadctl.tui.widgets.big_text import BigText
from treadctl.tui.widgets.connection import ConnectionStatus
from treadctl.tui.widgets.cue_panel import CuePanel
from treadctl.tui.widgets.direction import DirectionIndicator
from treadctl.tui.widgets.hold_banner import HoldBanner
from treadctl.tui.widgets.profile_details import ProfileDetails
from treadctl.tui.widgets.summary_table import SummaryTable
from treadctl.tui.widgets.timeline_bar import TimelineBar
from treadctl.tui.widgets.turn_prompt import TurnPrompt
from treadctl.tui.widgets.upcoming import Upcoming
from treadctl.tui.widgets.voice_status import VoiceStatus

__all__ = [
    "AlertBanner",
    "BigNumber",
    "BigText",
    "ConnectionStatus",
    "CuePanel",
    "DigitSize",
    "DirectionIndicator",
    "HoldBanner",
    "ProfileDetails",
    "SummaryTable",
    "TimelineBar",
    "TurnPrompt",
    "Upcoming",
    "VoiceStatus",
]
