"""ISO weeks and what happened in each: which papers were new and which were updated.

A paper is *new* in the ISO week of its first version (``published``). It is *updated* in every later
week in which a version above 1 is dated (the version history, or ``updated`` when there is no history).
A second version in the paper's first week changes nothing: the paper is new that week.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from tracker.paper import Paper

Kind = Literal["new", "updated"]


def week_of(day: date) -> str:
    """``2026-W26``: the ISO year and week of ``day``."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week written ``YYYY-Www``."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1)


def week_end(week: str) -> date:
    return week_start(week) + timedelta(days=6)


def week_span(week: str) -> str:
    """``22–28 June 2026`` (or ``29 June – 5 July 2026``) for a page title."""
    start, end = week_start(week), week_end(week)
    if start.month == end.month:
        return f"{start.day}–{end.day} {end:%B %Y}"
    if start.year == end.year:
        return f"{start.day} {start:%B} – {end.day} {end:%B %Y}"
    return f"{start.day} {start:%B %Y} – {end.day} {end:%B %Y}"


def weeks_between(first: str, last: str) -> list[str]:
    """Every ISO week from ``first`` to ``last``, both included (weeks without papers too)."""
    weeks, day = [], week_start(first)
    while day <= week_start(last):
        weeks.append(week_of(day))
        day += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class WeekEvent:
    paper: Paper
    kind: Kind
    version: int  # the version that made the event: 1 for new, the week's highest for updated
    day: date


def paper_events(paper: Paper) -> list[WeekEvent]:
    events = [WeekEvent(paper, "new", 1, paper.published)]
    first_week = week_of(paper.published)
    revisions = {v.version: v.date for v in paper.versions if v.version > 1}
    if not revisions and paper.version > 1:
        revisions = {paper.version: paper.updated}
    latest: dict[str, tuple[int, date]] = {}
    for version, day in sorted(revisions.items()):
        week = week_of(day)
        if week != first_week and day > paper.published:
            latest[week] = (version, day)
    events += [WeekEvent(paper, "updated", version, day) for version, day in latest.values()]
    return events


def events_by_week(papers: Iterable[Paper]) -> dict[str, list[WeekEvent]]:
    """``{week: events}``, weeks in order, events newest first (then by id) inside each week."""
    weeks: dict[str, list[WeekEvent]] = {}
    for paper in papers:
        for event in paper_events(paper):
            weeks.setdefault(week_of(event.day), []).append(event)
    return {
        week: sorted(events, key=lambda e: (e.day, e.paper.id), reverse=True)
        for week, events in sorted(weeks.items())
    }


# Charts look back half a year: an old paper in the store must not stretch them over a decade of weeks.
RECENT_WEEKS = 26


def recent_weeks(papers: Sequence[Paper], count: int = RECENT_WEEKS) -> list[str]:
    """The last ``count`` ISO weeks up to the newest paper's (fewer when the store is younger)."""
    if not papers:
        return []
    newest = max(p.published for p in papers)
    oldest = max(min(p.published for p in papers), newest - timedelta(weeks=count - 1))
    return weeks_between(week_of(oldest), week_of(newest))


def newest_day(papers: Iterable[Paper]) -> date | None:
    """The newest day the store knows of: the latest first version or later version of any paper.

    The store has been read up to about this day, so a week that ends after it is not over yet (a partial
    week); the pages use it instead of the clock, so the same store always gives the same pages.
    """
    return max((max(paper.published, paper.updated, *(v.date for v in paper.versions)) for paper in papers),
               default=None)


def is_partial(week: str, as_of: date | None) -> bool:
    """Whether ``week`` was not over on ``as_of`` (its Sunday is later): its counts are still growing."""
    return as_of is not None and as_of < week_end(week)
