"""The one Vietnam time zone constant every datetime in the archive is expressed in."""

from datetime import datetime, timedelta, timezone

#: Vietnam has used UTC+07:00 all year since 1975, with no daylight saving.
VN_TZ = timezone(timedelta(hours=7), "ICT")


def now_vn() -> datetime:
    """Return the current time in Vietnam. Call only at a boundary (spider, CLI), never in logic."""
    return datetime.now(VN_TZ)


def iso_vn(moment: datetime) -> str:
    """Format an aware datetime as ISO 8601 in Vietnam time, to the second."""
    return moment.astimezone(VN_TZ).replace(microsecond=0).isoformat()
