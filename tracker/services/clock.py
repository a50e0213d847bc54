"""Today in the county's time zone and the reporting frequency: the two things "now" depends on.

Callers use ``clock.today()`` (an attribute lookup), so a test can set the day in one place.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from tracker.services import settings


def today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


def frequency() -> str:
    return settings.get("reporting_frequency")
