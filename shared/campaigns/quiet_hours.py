"""Quiet hours in each contact's local time: when may a message go out?"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezones

FALLBACK_ZONE = "America/New_York"


@lru_cache(maxsize=4096)
def zone_of(phone: str, declared: str | None) -> ZoneInfo:
    """The contact's declared zone, else the one its number implies, else a default."""
    for name in (declared, _zone_from_number(phone), FALLBACK_ZONE):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo(FALLBACK_ZONE)


def _zone_from_number(phone: str) -> str | None:
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None
    known = [z for z in zones if z != "Etc/Unknown"]
    return known[0] if known else None


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def next_allowed(now: datetime, zone: ZoneInfo, start: str, end: str) -> datetime:
    """`now` when inside the window, else the window's next opening (in UTC terms)."""
    local = now.astimezone(zone)
    opens, closes = _clock(start), _clock(end)
    clock = local.time()
    if opens <= closes:
        if opens <= clock < closes:
            return now
        day = local.date() if clock < opens else local.date() + timedelta(days=1)
    else:  # a window across midnight, e.g. 22:00-02:00
        if clock >= opens or clock < closes:
            return now
        day = local.date()
    opening = datetime.combine(day, opens, tzinfo=zone)
    return opening.astimezone(now.tzinfo)
