"""``planner export ics``: session placement, stable UIDs, RFC 5545 text, the command."""

from __future__ import annotations

import os
import re
import time as clock
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import calendar, renderer
from planner.calendar import Session, clean_text, parse_days, parse_time, plan_sessions, to_ics
from planner.curriculum import load_role
from planner.errors import UsageError
from planner.history import Activity, TimeOff
from planner.queries import MilestoneState
from planner.view import PlanInfo, PlanView, build_view
from tests.conftest import FIXTURE_CURRICULA, Run
from tests.conftest import today as cli_today

START = date(2026, 1, 5)  # a Monday
MON_WED_SAT = (0, 2, 5)
STAMP = datetime(2026, 1, 5, 8, 30, 15, 123, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def done(*ids: str, on: date = START) -> dict[str, MilestoneState]:
    at = datetime.combine(on, time(12), tzinfo=UTC)
    return {mid: MilestoneState(kind="done", on_date=on, at=at, hours=None) for mid in ids}


def make_view(
    today: date,
    states: dict[str, MilestoneState] | None = None,
    *,
    start: date = START,
    hours: float = 8,
    name: str = "Ada's plan",
    role: str = "tiny-role",
    time_off: tuple[TimeOff, ...] = (),
) -> PlanView:
    info = PlanInfo(
        name=name,
        roles=(role,),
        hours_per_week=hours,
        start=start,
        known_skills=(),
        industry=None,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        curriculum_versions={},
        curricula=(load_role(role),),
    )
    return build_view(info, states or {}, today, Activity(time_off=time_off))


def sessions_on(
    today: date,
    states: dict[str, MilestoneState] | None = None,
    *,
    days: tuple[int, ...] = MON_WED_SAT,
    at: time = time(19),
    session_hours: float = 2,
    clock_time: time = time(9),
    zone: Any = UTC,
    **plan: Any,
) -> list[Session]:
    view = make_view(today, states, **plan)
    now = datetime.combine(today, clock_time, tzinfo=zone)
    return plan_sessions(view, days, at, session_hours, now)


def layout(sessions: list[Session]) -> list[str]:
    """``Mon 2026-01-05 19:00-21:40 python-basics=160``: one line per session."""
    return [
        f"{s.start:%a %Y-%m-%d %H:%M}-{s.end:%H:%M} "
        + " ".join(f"{mid}={m}" for mid, m in zip(s.milestone_ids, s.minutes, strict=True))
        for s in sessions
    ]


# --------------------------------------------------------------------------- placement

# tiny-role at 8 h/week from Monday 2026-01-05: python-basics 6 h, stats-basics 10 h,
# first-model 12 h, deploy-model 8 h (36 h: weeks 1-5).
PLACEMENT = {
    "three days, 8 h weeks: sessions grow to 2 h 40, one spans two milestones": (
        {"today": START},
        [
            "Mon 2026-01-05 19:00-21:40 python-basics=160",
            "Wed 2026-01-07 19:00-21:40 python-basics=160",
            "Sat 2026-01-10 19:00-21:40 python-basics=40 stats-basics=120",
            "Mon 2026-01-12 19:00-21:40 stats-basics=160",
            "Wed 2026-01-14 19:00-21:40 stats-basics=160",
            "Sat 2026-01-17 19:00-21:40 stats-basics=160",
            "Mon 2026-01-19 19:00-21:40 first-model=160",
            "Wed 2026-01-21 19:00-21:40 first-model=160",
            "Sat 2026-01-24 19:00-21:40 first-model=160",
            "Mon 2026-01-26 19:00-21:40 first-model=160",
            "Wed 2026-01-28 19:00-21:40 first-model=80 deploy-model=80",
            "Sat 2026-01-31 19:00-21:40 deploy-model=160",
            "Mon 2026-02-02 19:00-21:00 deploy-model=120",
            "Wed 2026-02-04 19:00-21:00 deploy-model=120",
        ],
    ),
    "every day chosen: only as many days as the hours need; done work is not planned": (
        {"today": START, "states": done("python-basics", "stats-basics"), "days": tuple(range(7))},
        [
            # done work is recorded where it happened; the rest fills the weeks from today
            "Mon 2026-01-05 19:00-21:00 first-model=120",
            "Tue 2026-01-06 19:00-21:00 first-model=120",
            "Wed 2026-01-07 19:00-21:00 first-model=120",
            "Thu 2026-01-08 19:00-21:00 first-model=120",
            "Mon 2026-01-12 19:00-21:00 first-model=120",
            "Tue 2026-01-13 19:00-21:00 first-model=120",
            "Wed 2026-01-14 19:00-21:00 deploy-model=120",
            "Thu 2026-01-15 19:00-21:00 deploy-model=120",
            "Mon 2026-01-19 19:00-21:00 deploy-model=120",
            "Tue 2026-01-20 19:00-21:00 deploy-model=120",
        ],
    ),
    "full sessions first, the last one shorter": (
        {"today": START, "session_hours": 3, "days": tuple(range(7)), "hours": 5},
        [
            "Mon 2026-01-05 19:00-22:00 python-basics=180",
            "Tue 2026-01-06 19:00-21:00 python-basics=120",
            "Mon 2026-01-12 19:00-22:00 python-basics=60 stats-basics=120",
            "Tue 2026-01-13 19:00-21:00 stats-basics=120",
        ],
    ),
    "mid-week: no session before today, the week's one day left takes its hours": (
        # Thursday: the plan gives the rest of week 1 (4 of its 7 days) 4 h 34 min
        {"today": date(2026, 1, 8)},
        [
            "Sat 2026-01-10 19:00-23:34 python-basics=274",
            "Mon 2026-01-12 19:00-21:40 python-basics=86 stats-basics=74",
            "Wed 2026-01-14 19:00-21:40 stats-basics=160",
        ],
    ),
    "past every chosen day of the week: its work moves to the next week": (
        # Sunday, the last day of week 1: its 69 minutes go ahead of week 2's 8 h
        {"today": date(2026, 1, 11)},
        [
            "Mon 2026-01-12 19:00-22:03 python-basics=183",
            "Wed 2026-01-14 19:00-22:03 python-basics=177 stats-basics=6",
            "Sat 2026-01-17 19:00-22:03 stats-basics=183",
            "Mon 2026-01-19 19:00-21:40 stats-basics=160",
        ],
    ),
    "today's session is kept after its start time": (
        {"today": START, "clock_time": time(21, 30)},
        ["Mon 2026-01-05 19:00-21:40 python-basics=160"],
    ),
    "a plan starting on a Wednesday: its weeks' days in date order, none before the start": (
        {"today": date(2026, 1, 1), "start": date(2026, 1, 7)},
        [
            "Wed 2026-01-07 19:00-21:40 python-basics=160",
            "Sat 2026-01-10 19:00-21:40 python-basics=160",
            "Mon 2026-01-12 19:00-21:40 python-basics=40 stats-basics=120",
            "Wed 2026-01-14 19:00-21:40 stats-basics=160",
        ],
    ),
    "--at 07:30 on tue,thu with 3 h sessions": (
        {"today": START, "days": (1, 3), "at": time(7, 30), "session_hours": 3},
        [
            "Tue 2026-01-06 07:30-11:30 python-basics=240",
            "Thu 2026-01-08 07:30-11:30 python-basics=120 stats-basics=120",
            "Tue 2026-01-13 07:30-11:30 stats-basics=240",
        ],
    ),
}


@pytest.mark.parametrize(("case", "expected"), PLACEMENT.values(), ids=list(PLACEMENT))
def test_session_placement(
    fixture_curricula: Path, case: dict[str, Any], expected: list[str]
) -> None:
    got = layout(sessions_on(**case))
    assert got[: len(expected)] == expected


def test_placement_covers_exactly_the_remaining_work(fixture_curricula: Path) -> None:
    for today in (START, date(2026, 1, 8), date(2026, 1, 11), date(2026, 1, 20)):
        view = make_view(today, done("python-basics"))
        sessions = plan_sessions(
            view, MON_WED_SAT, time(19), 2, datetime.combine(today, time(9), UTC)
        )
        remaining: list[tuple[str, int]] = []
        for week in view.schedule.weeks[view.schedule.current_week - 1 :]:
            for slot in week.slots:
                if not slot.recorded:
                    remaining.append((slot.milestone_id, round(slot.hours * 60)))
        per_milestone: dict[str, int] = {}
        for mid, minutes in remaining:
            per_milestone[mid] = per_milestone.get(mid, 0) + minutes
        placed: dict[str, int] = {}
        order: list[str] = []
        for s in sessions:
            for mid, minutes in zip(s.milestone_ids, s.minutes, strict=True):
                placed[mid] = placed.get(mid, 0) + minutes
                if not order or order[-1] != mid:
                    order.append(mid)
        assert placed == per_milestone
        assert order == list(dict.fromkeys(mid for mid, _ in remaining))
        for s in sessions:
            assert s.start.date() >= today
            assert s.end - s.start == timedelta(minutes=sum(s.minutes))


def test_a_finished_plan_has_no_sessions(fixture_curricula: Path) -> None:
    states = done("python-basics", "stats-basics", "first-model", "deploy-model")
    assert sessions_on(date(2026, 2, 10), states) == []


def test_sessions_keep_the_local_time_across_a_clock_change(fixture_curricula: Path) -> None:
    # Europe/Berlin moves to summer time on Sunday 2026-03-29.
    sessions = sessions_on(date(2026, 3, 16), start=date(2026, 3, 16), zone=BERLIN)
    assert all(s.start.tzinfo is BERLIN and s.start.time() == time(19) for s in sessions)
    utc_hours = {s.start.date(): s.start.astimezone(UTC).hour for s in sessions}
    assert utc_hours[date(2026, 3, 28)] == 18 and utc_hours[date(2026, 3, 30)] == 17


def test_a_session_across_a_clock_change_lasts_its_hours(fixture_curricula: Path) -> None:
    (first, *_) = sessions_on(
        date(2026, 3, 23), start=date(2026, 3, 23), zone=BERLIN, days=(5,), at=time(23)
    )
    assert first.start == datetime(2026, 3, 28, 23, tzinfo=BERLIN)
    assert first.end.astimezone(UTC) - first.start.astimezone(UTC) == timedelta(hours=8)
    assert first.end.replace(tzinfo=None) == datetime(2026, 3, 29, 8)  # 02:00 -> 03:00 skipped


def test_description_names_what_done_looks_like_and_where_to_start(
    fixture_curricula: Path,
) -> None:
    shared = sessions_on(START)[2]
    assert shared.titles == ("Python basics", "Statistics basics")
    assert shared.summary == "Python basics + Statistics basics"
    assert shared.description == (
        "Python basics (python-basics): 40 min of 6 h\n"
        "Done when: a script that reads a CSV and prints summary statistics\n"
        "Start with: The Python Tutorial https://docs.python.org/3/tutorial/\n"
        "\n"
        "Statistics basics (stats-basics): 2 h of 10 h\n"
        "Done when: a notebook computing a confidence interval by bootstrap\n"
        "Start with: Think Stats https://greenteapress.com/wp/think-stats-2e/"
    )


# --------------------------------------------------------------------------- UIDs


def test_uids_are_unique_and_the_same_for_the_same_plan(fixture_curricula: Path) -> None:
    first = sessions_on(START)
    uids = [s.uid for s in first]
    assert len(set(uids)) == len(uids)
    assert all(re.fullmatch(r"[0-9a-f]{40}@planner", uid) for uid in uids)
    assert [s.uid for s in sessions_on(START)] == uids
    assert not set(uids) & {s.uid for s in sessions_on(START, name="Bob's plan")}


def session_keys(sessions: list[Session]) -> list[tuple[str, ...]]:
    """Each session's ``milestone#n`` keys: what its UID is made of."""
    count: dict[str, int] = {}
    keys = []
    for s in sessions:
        key = []
        for mid in s.milestone_ids:
            count[mid] = count.get(mid, 0) + 1
            key.append(f"{mid}#{count[mid]}")
        keys.append(tuple(key))
    return keys


def test_marking_done_keeps_the_uids_of_other_milestones_sessions(
    fixture_curricula: Path,
) -> None:
    before = sessions_on(START)
    after = sessions_on(START, done("python-basics"))
    # Done on the first day: its hours are recorded, the rest of the plan moves up.
    assert layout(after)[0] == "Mon 2026-01-05 19:00-21:40 stats-basics=160"
    assert all("python-basics" not in s.milestone_ids for s in after)
    # A session with the same share of the same milestones keeps its UID, so importing
    # the file again moves the event instead of adding one.
    uids = dict(zip(session_keys(before), [s.uid for s in before], strict=True))
    kept = [s for key, s in zip(session_keys(after), after, strict=True) if key in uids]
    assert [s.uid for s in kept] == [uids[key] for key in session_keys(after) if key in uids]
    assert [layout([s])[0][:14] for s in kept[:2]] == ["Wed 2026-01-07", "Sat 2026-01-10"]
    assert len(kept) == 8  # all but the 4 that two milestones share, before or after


# --------------------------------------------------------------------------- time off

# At 8 h/week from Monday 2026-12-07, tiny-role's 36 h run into the holidays.
HOLIDAY_START = date(2026, 12, 7)
HOLIDAYS = TimeOff(None, date(2026, 12, 20), date(2027, 1, 3), 0.0, "holidays")
EVERY_DAY = tuple(range(7))


def test_no_session_falls_on_a_day_off(fixture_curricula: Path) -> None:
    view = make_view(HOLIDAY_START, start=HOLIDAY_START, time_off=(HOLIDAYS,))
    now = datetime.combine(HOLIDAY_START, time(9), UTC)
    sessions = plan_sessions(view, EVERY_DAY, time(19), 1, now)  # 1 h: every day is used
    days = [s.start.date() for s in sessions]
    assert not [d for d in days if HOLIDAYS.first <= d <= HOLIDAYS.last]
    assert max(d for d in days if d < HOLIDAYS.first) == date(2026, 12, 19)
    assert min(d for d in days if d > HOLIDAYS.last) == date(2027, 1, 4)
    # every hour of the plan is still there
    assert sum(sum(s.minutes) for s in sessions) == 36 * 60


def test_days_off_and_days_before_today_are_both_skipped(fixture_curricula: Path) -> None:
    today = date(2026, 12, 16)  # a Wednesday of week 2, which ends with a day off
    view = make_view(today, start=HOLIDAY_START, time_off=(HOLIDAYS,))
    now = datetime.combine(today, time(9), UTC)
    sessions = plan_sessions(view, (0, 2, 6), time(19), 2, now)  # mon, wed, sun
    assert layout(sessions)[:3] == [
        # Monday is past and Sunday the 20th is off: Wednesday takes the rest of week 2
        # (its four days left before the time off: 4 h 34 min)
        "Wed 2026-12-16 19:00-23:34 python-basics=274",
        "Mon 2027-01-04 19:00-21:40 python-basics=86 stats-basics=74",
        "Wed 2027-01-06 19:00-21:40 stats-basics=160",
    ]


def test_a_week_of_fewer_hours_gets_no_more_than_its_planned_hours(
    fixture_curricula: Path,
) -> None:
    half = TimeOff(None, date(2026, 12, 14), date(2026, 12, 20), 4.0)  # all of week 2
    view = make_view(HOLIDAY_START, start=HOLIDAY_START, time_off=(half,))
    now = datetime.combine(HOLIDAY_START, time(9), UTC)
    sessions = plan_sessions(view, MON_WED_SAT, time(19), 2, now)
    week_2 = [s for s in sessions if half.first <= s.start.date() <= half.last]
    assert sum(sum(s.minutes) for s in week_2) == 4 * 60
    assert view.schedule.weeks[1].capacity == 4


def test_work_moved_off_a_day_off_does_not_overfill_a_week_of_fewer_hours(
    fixture_curricula: Path,
) -> None:
    # Saturdays only; the first Saturday is a day off, the week after it has 4 h.
    time_off = (
        TimeOff(None, date(2026, 12, 12), date(2026, 12, 12), 0.0),
        TimeOff(None, date(2026, 12, 14), date(2026, 12, 20), 4.0),
    )
    view = make_view(HOLIDAY_START, start=HOLIDAY_START, time_off=time_off)
    now = datetime.combine(HOLIDAY_START, time(9), UTC)
    sessions = plan_sessions(view, (5,), time(19), 2, now)
    assert layout(sessions)[:3] == [
        # week 1's 6 h 51 min have no Saturday: they wait for the next free one, which
        # takes no more than its week's 4 h; the rest goes on to the week after, whose
        # one session grows to 12 h (the longest it may be) and sends the rest on again
        "Sat 2026-12-19 19:00-23:00 python-basics=240",
        "Sat 2026-12-26 19:00-07:00 python-basics=120 stats-basics=600",
        "Sat 2027-01-02 19:00-05:51 first-model=651",
    ]
    assert max(s.end - s.start for s in sessions) == timedelta(hours=12)


# --------------------------------------------------------------------------- iCalendar


def events(data: bytes) -> list[icalendar.cal.Component]:
    return list(icalendar.Calendar.from_ical(data).walk("VEVENT"))


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert not [line for line in lines if b"\n" in line or b"\r" in line]
    return lines


def test_each_session_is_one_complete_event(fixture_curricula: Path) -> None:
    sessions = sessions_on(date(2026, 3, 16), start=date(2026, 3, 16), zone=BERLIN)
    data = to_ics(sessions, "Ada's plan", stamp=STAMP)
    parsed = icalendar.Calendar.from_ical(data)
    assert str(parsed["VERSION"]) == "2.0" and str(parsed["PRODID"]) == calendar.PRODID
    assert [str(tz["TZID"]) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Berlin"]
    got = events(data)
    assert len(got) == len(sessions)
    for event, session in zip(got, sessions, strict=True):
        assert str(event["UID"]) == session.uid
        assert str(event["SUMMARY"]) == session.summary
        assert str(event["DESCRIPTION"]) == session.description
        assert event.decoded("DTSTART") == session.start
        assert event.decoded("DTEND") == session.end
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTAMP") == datetime(2026, 1, 5, 8, 30, 15, tzinfo=UTC)
        assert [str(c) for c in event["CATEGORIES"].cats] == ["study"]
    assert b"DTSTART;TZID=Europe/Berlin:20260316T190000\r\n" in data
    assert b"DTSTAMP:20260105T083015Z\r\n" in data


def test_a_bare_utc_offset_is_written_with_a_zone_of_its_own(fixture_curricula: Path) -> None:
    sessions = sessions_on(START, zone=timezone(timedelta(hours=3)))
    data = to_ics(sessions, "Ada's plan", stamp=STAMP)
    assert b'DTSTART;TZID="UTC+03:00":20260105T190000\r\n' in data
    assert b"BEGIN:VTIMEZONE\r\nTZID:UTC+03:00\r\n" in data and b"TZOFFSETTO:+0300" in data
    parsed = events(data)[0].decoded("DTSTART")
    assert parsed == datetime(2026, 1, 5, 16, tzinfo=UTC)


def test_an_empty_calendar_is_still_a_calendar() -> None:
    data = to_ics([], "Ada's plan", stamp=STAMP)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert events(data) == []


def session_with(summary: str, description: str) -> Session:
    start = datetime(2026, 1, 5, 19, tzinfo=BERLIN)
    return Session(
        start=start,
        end=start + timedelta(hours=2),
        milestone_ids=("m",),
        titles=(summary,),
        minutes=(120,),
        description=description,
        uid="x@planner",
    )


def test_long_multibyte_text_is_folded_at_75_octets_between_characters() -> None:
    text = "Lernen 📚 ünd Wörter, Semikola; Backslash \\ " * 40
    data = to_ics([session_with(text, text + "\n" + text)], "Plan 🚀" * 30, stamp=STAMP)
    lines = physical_lines(data)
    assert max(len(line) for line in lines) == 75  # long lines were folded, to the limit
    for line in lines:
        assert len(line) <= 75
        line.decode("utf-8")  # a fold never splits a character
    (event,) = events(data)
    assert str(event["SUMMARY"]) == text


def test_special_characters_are_escaped_in_the_file() -> None:
    data = to_ics([session_with("a, b; c \\ d", "one\ntwo")], "p", stamp=STAMP)
    assert b"SUMMARY:a\\, b\\; c \\\\ d\r\n" in data
    assert b"DESCRIPTION:one\\ntwo\r\n" in data


def test_control_characters_are_dropped_and_line_breaks_kept() -> None:
    title = "bell\x07 nul\x00 esc\x1b del\x7f tab\tend"
    description = "crlf\r\nlf\ncr\rend"
    data = to_ics([session_with(title, description)], "p", stamp=STAMP)
    assert not re.search(rb"[\x00-\x08\x0b-\x1f\x7f]", data.replace(b"\r\n", b""))
    (event,) = events(data)
    assert str(event["SUMMARY"]) == "bell nul esc del tab\tend" == clean_text(title)
    assert str(event["DESCRIPTION"]) == "crlf\nlf\ncr\nend"


# Text a curriculum could hold: anything printable, with iCalendar's special characters,
# line breaks and emoji made likely. (Control characters are dropped; tested above.)
texts = st.text(
    alphabet=st.one_of(
        st.characters(exclude_categories=("Cc", "Cs")),
        st.sampled_from(list(",;\\\n:\"'\t📚🚀é ")),
    ),
    min_size=1,
    max_size=150,
).filter(lambda s: s.strip())


def generated_role(
    folder: Path, titles: list[str], done_when: list[str], sources: list[str]
) -> None:
    profile = yaml.safe_load((FIXTURE_CURRICULA / "tiny-role.yaml").read_text())["profile"]
    milestones = [
        {
            "id": mid,
            "title": titles[i],
            "summary": "generated",
            "hours": hours,
            "requires": [] if i == 0 else ["first"],
            "resources": [
                {"title": sources[i], "url": "https://example.org/a?b=c&d=e;f", "kind": "docs"}
            ],
            "done_when": done_when[i],
        }
        for i, (mid, hours) in enumerate([("first", 3), ("second", 2)])
    ]
    role = {
        "id": "ics-role",
        "title": "ICS role",
        "summary": "Generated by tests/test_ics.py.",
        "version": 1,
        "profile": profile,
        "milestones": milestones,
    }
    (folder / "ics-role.yaml").write_text(
        yaml.safe_dump(role, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


@settings(max_examples=60, deadline=None)
@given(
    titles=st.lists(texts, min_size=2, max_size=2),
    done_when=st.lists(texts, min_size=2, max_size=2),
    sources=st.lists(texts, min_size=2, max_size=2),
)
def test_milestone_text_survives_a_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    titles: list[str],
    done_when: list[str],
    sources: list[str],
) -> None:
    folder = tmp_path_factory.mktemp("ics")
    generated_role(folder, titles, done_when, sources)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANNER_CURRICULA_PATH", str(folder))
        view = make_view(START, role="ics-role")
    milestones = view.curriculum.milestones
    assert [m.title for m in milestones] == [t.strip() for t in titles]
    sessions = plan_sessions(
        view, MON_WED_SAT, time(19), 2, datetime.combine(START, time(9), BERLIN)
    )
    assert [s.milestone_ids for s in sessions] == [("first",), ("first", "second"), ("second",)]
    data = to_ics(sessions, "Plan; with, specials \\ 📚", stamp=STAMP)
    for line in physical_lines(data):
        assert len(line) <= 75
    got = events(data)
    assert [str(e["SUMMARY"]) for e in got] == [
        milestones[0].title,
        f"{milestones[0].title} + {milestones[1].title}",
        milestones[1].title,
    ]
    for event, session in zip(got, sessions, strict=True):
        description = str(event["DESCRIPTION"])
        assert description == session.description
        for mid in session.milestone_ids:
            m = view.curriculum.by_id[mid]
            assert f"Done when: {m.done_when}\nStart with: {m.resources[0].title} " in description
            assert m.resources[0].url in description


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon,wed,sat", (0, 2, 5)),
        ("SAT, Mon", (0, 5)),
        ("sun", (6,)),
        ("mon,tue,wed,thu,fri,sat,sun", tuple(range(7))),
    ],
)
def test_parse_days(text: str, days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "--days: a day name is missing"),
        ("mon,,sat", "--days: a day name is missing"),
        ("monday", "--days: 'monday' is not a day"),
        ("mon,xyz", "--days: 'xyz' is not a day"),
        ("mon,Mon", "--days names mon more than once"),
    ],
)
def test_parse_days_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        parse_days(text)


@pytest.mark.parametrize(
    ("text", "value"), [("19:00", time(19)), ("07:30", time(7, 30)), ("0:05", time(0, 5))]
)
def test_parse_time(text: str, value: time) -> None:
    assert parse_time(text) == value


@pytest.mark.parametrize("text", ["7pm", "24:00", "19:60", "19", "19:0", "", "١٩:٠٠"])
def test_parse_time_refuses(text: str) -> None:
    with pytest.raises(UsageError, match="--at must be a 24-hour time"):
        parse_time(text)


# --------------------------------------------------------------------------- the command


@pytest.fixture
def started(cli: Run, fixture_curricula: Path) -> Run:
    today = cli_today()
    assert cli("start", "tiny-role", "--start", today.isoformat()).exit_code == 0
    return cli


@pytest.fixture
def local_tz() -> Iterator[Any]:
    """Set the process's zone (TZ and tzset) for one test."""
    old = os.environ.get("TZ")

    def use(name: str) -> None:
        os.environ["TZ"] = name
        clock.tzset()

    yield use
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    clock.tzset()


def test_export_to_stdout(started: Run) -> None:
    result = started("export", "ics")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    data = result.stdout_bytes
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    got = events(data)
    assert len(got) == 14
    assert str(got[0]["SUMMARY"]) == "Python basics"
    assert got[0].decoded("DTSTART").date() >= cli_today()


def test_uids_are_stable_across_exports_and_after_done(started: Run) -> None:
    first = [str(e["UID"]) for e in events(started("export", "ics").stdout_bytes)]
    second = [str(e["UID"]) for e in events(started("export", "ics").stdout_bytes)]
    assert first == second
    assert started("done", "python-basics").exit_code == 0
    again = events(started("export", "ics").stdout_bytes)
    after = [str(e["UID"]) for e in again if e["STATUS"] == "CONFIRMED"]
    cancelled = {str(e["UID"]) for e in again if e["STATUS"] == "CANCELLED"}
    # python-basics' sessions, and those whose share of work changed: sent as cancelled
    assert cancelled == set(first) - set(after) and set(first[:3]) <= cancelled
    # The plan starts today and python-basics' 6 h are done: everything moves up, and the
    # sessions of the same milestone share keep their ids (stats-basics' 2nd and 3rd, the
    # 2nd to 4th of first-model's).
    assert after[1:3] == first[3:5]
    assert after[4:7] == first[7:10]
    assert not set(after) & set(first[:3])


def test_export_skips_time_off(started: Run) -> None:
    first, last = cli_today() + timedelta(days=3), cli_today() + timedelta(days=12)
    assert started("away", first.isoformat(), last.isoformat()).exit_code == 0
    result = started("export", "ics", "--days", "mon,tue,wed,thu,fri,sat,sun")
    assert result.exit_code == 0, result.stderr
    days = [e.decoded("DTSTART").date() for e in events(result.stdout_bytes)]
    assert days and not [d for d in days if first <= d <= last]
    assert last + timedelta(days=1) in days


def test_options_reach_the_calendar(started: Run) -> None:
    result = started(
        "export", "ics", "--days", "TUE", "--at", "07:30", "--session-hours", "1",
        "--max-session", "8",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    got = events(result.stdout_bytes)
    starts = [e.decoded("DTSTART") for e in got]
    assert {s.weekday() for s in starts} == {1}
    assert {s.time() for s in starts} == {time(7, 30)}
    assert len(starts) == 5  # one Tuesday per 8-hour week: the sessions grow to 8 h


def test_output_file_is_written_atomically(
    started: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    real = renderer.write_atomically

    def spy(path: Path, data: bytes) -> Path:
        calls.append(path)
        return real(path, data)

    monkeypatch.setattr(renderer, "write_atomically", spy)
    out = tmp_path / "study.ics"
    out.write_text("old")
    result = started("export", "ics", "--output", str(out))
    assert result.exit_code == 0, result.stderr
    assert calls == [out]
    got = events(out.read_bytes())
    first, last = got[0].decoded("DTSTART"), got[-1].decoded("DTSTART")
    words = " ".join(result.stdout.split())  # wrapped to the terminal
    assert words == f"Wrote {out}: 14 sessions, {first:%Y-%m-%d} to {last:%Y-%m-%d}."
    assert len(got) == 14
    assert not list(tmp_path.glob(".*.tmp"))


def test_output_through_a_symlink_replaces_the_target(started: Run, tmp_path: Path) -> None:
    target = tmp_path / "real.ics"
    target.write_text("old")
    link = tmp_path / "link.ics"
    link.symlink_to(target)
    assert started("export", "ics", "-o", str(link)).exit_code == 0
    assert link.is_symlink()
    assert target.read_bytes().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "mon,xyz"], "Error: --days: 'xyz' is not a day;"),
        (["--days", "mon,\nfoo"], "Error: --days: 'foo' is not a day;"),
        (["--days", "wed,mon,wed"], "Error: --days names wed more than once;"),
        (["--days", ""], "Error: --days: a day name is missing;"),
        (["--at", "7pm"], "Error: --at must be a 24-hour time of day like 19:00"),
        (["--at", "25:00"], "Error: --at must be a 24-hour time of day like 19:00"),
        (["--session-hours", "0"], "Error: --session-hours must be more than 0 and at most 12"),
        (["--session-hours", "-1"], "Error: --session-hours must be more than 0 and at most 12"),
        (["--session-hours", "12.5"], "Error: --session-hours must be more than 0 and at most 12"),
        (["--session-hours", "nan"], "Error: --session-hours must be more than 0 and at most 12"),
        (["--session-hours", "two"], "Error: Invalid value for '--session-hours'"),
        (["--output", "/nonexistent-folder/study.ics"], "Error: The folder /nonexistent-folder"),
    ],
)
def test_bad_options(started: Run, tmp_path: Path, args: list[str], message: str) -> None:
    result = started("export", "ics", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""


def test_bad_option_writes_nothing(started: Run, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = started("export", "ics", "--days", "funday", "--output", str(folder / "study.ics"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert not list(folder.iterdir())


def test_output_to_a_folder_is_refused(started: Run, tmp_path: Path) -> None:
    result = started("export", "ics", "--output", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {tmp_path} is a folder; give a file name")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "noon"], "Error: --at must be"),
        (["--output", "/nonexistent-folder/study.ics"], "Error: The folder /nonexistent-folder"),
    ],
)
def test_bad_options_are_reported_before_a_missing_plan(
    cli: Run, args: list[str], message: str
) -> None:
    result = cli("export", "ics", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)


def test_export_without_a_plan(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "study.ics"
    result = cli("export", "ics", "--output", str(out))
    assert result.exit_code == 4
    assert result.stderr.startswith("Error: No plan yet.")
    assert not out.exists()


def test_a_finished_plan_exports_an_empty_calendar(started: Run, tmp_path: Path) -> None:
    assert started("skip", "deploy-model").exit_code == 0
    assert started("done", "python-basics", "stats-basics", "first-model").exit_code == 0
    result = started("export", "ics")
    assert result.exit_code == 0
    assert result.stderr == "Nothing left to study in 'tiny-role': the calendar has no sessions.\n"
    assert result.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n")
    assert events(result.stdout_bytes) == []
    out = tmp_path / "study.ics"
    result = started("export", "ics", "-o", str(out))
    assert result.exit_code == 0
    assert result.stdout == f"Wrote {out}: 0 sessions.\n"
    assert events(out.read_bytes()) == []


def test_the_local_zone_is_written_with_its_rules(started: Run, local_tz: Any) -> None:
    local_tz("Europe/Berlin")
    data = started("export", "ics").stdout_bytes
    assert b"BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n" in data
    assert re.search(rb"DTSTART;TZID=Europe/Berlin:\d{8}T190000\r\n", data)


def test_a_zone_without_a_name_is_written_with_its_rule(started: Run, local_tz: Any) -> None:
    local_tz("XYZ-3")  # a POSIX rule, not an IANA zone: 3 h east of UTC all year
    data = started("export", "ics").stdout_bytes
    assert b"BEGIN:VTIMEZONE\r\nTZID:XYZ-3\r\n" in data and b"TZOFFSETTO:+0300" in data
    starts = re.findall(rb"DTSTART;TZID=XYZ-3:\d{8}T(\d{6})\r\n", data)
    assert starts and set(starts) == {b"190000"}
