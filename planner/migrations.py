"""Planner's schema migrations: numbered functions, each applied once in its own write
transaction and recorded in ``planner_migration`` (``planner.db.migrate`` runs them).
Each writes its own DDL (never today's models), so it does the same on every database it
will ever meet; a step only adds, and never loses a row (step 5 rewrites plan
names in NFC, the same text as a person sees it).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlalchemy as sa

MIGRATIONS_TABLE = "planner_migration"


def m001_initial(conn: sa.Connection) -> None:
    """The original schema, written out (not derived from today's models)."""
    import sqlalchemy as sa

    meta = sa.MetaData()
    sa.Table(
        "plan",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("curriculum_versions", sa.JSON, nullable=False),
        sa.Column("hours_per_week", sa.Float, nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("known_skills", sa.JSON, nullable=False),
        sa.Column("industry", sa.String(200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=False),
    )
    sa.Table(
        "event",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plan.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("milestone_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_date", sa.Date, nullable=True),
        sa.Column("hours", sa.Float, nullable=True),
        sa.Column("note", sa.String, nullable=True),
        sa.Index("ix_event_plan_milestone", "plan_id", "milestone_id"),
    )
    meta.create_all(conn)


def m002_curriculum_snapshots(conn: sa.Connection) -> None:
    """Plans keep their curriculum: a table of snapshots (one per content digest) and
    each plan's digests per role, filled with the curriculum each plan's roles resolve to
    now. A plan whose curriculum cannot be found is kept as it is (digests NULL) and
    reported by ``planner doctor``; no row is changed or dropped otherwise."""
    import json

    import sqlalchemy as sa

    from planner.curriculum import load_role
    from planner.errors import PlannerError
    from planner.snapshot import FORMAT, snapshot_of

    meta = sa.MetaData()
    sa.Table(
        "curriculum_snapshot",
        meta,
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    meta.create_all(conn)
    conn.execute(sa.text("ALTER TABLE plan ADD COLUMN curriculum_digests JSON"))
    now = datetime.now(UTC)
    stored: set[str] = set()
    for pid, roles_json in conn.execute(sa.text("SELECT id, roles FROM plan ORDER BY id")):
        try:
            roles = json.loads(roles_json) if isinstance(roles_json, str) else roles_json
            snapshots = [snapshot_of(load_role(str(role))) for role in roles]
        except (PlannerError, ValueError, TypeError):
            continue  # kept without a snapshot; `planner doctor` reports it
        for snap in snapshots:
            if snap.digest not in stored:
                conn.execute(
                    sa.text(
                        "INSERT INTO curriculum_snapshot (digest, format, body, created_at) "
                        "VALUES (:d, :f, :b, :t)"
                    ).bindparams(sa.bindparam("t", type_=sa.DateTime(timezone=True))),
                    {"d": snap.digest, "f": FORMAT, "b": snap.body, "t": now},
                )
                stored.add(snap.digest)
        digests = {snap.role: snap.digest for snap in snapshots}
        conn.execute(
            sa.text("UPDATE plan SET curriculum_digests = :d WHERE id = :i"),
            {"d": json.dumps(digests), "i": pid},
        )


def m003_study_and_time_off(conn: sa.Connection) -> None:
    """Study entries and time off: ``event.until_date`` (the last day of time off) and
    ``event.ref_id`` (the entry a ``retracted`` event withdraws). Columns are only added;
    every row is kept as it is."""
    import sqlalchemy as sa

    conn.execute(sa.text("ALTER TABLE event ADD COLUMN until_date DATE"))
    conn.execute(sa.text("ALTER TABLE event ADD COLUMN ref_id INTEGER"))


def m004_migration_times_with_zone(conn: sa.Connection) -> None:
    """``planner_migration.applied_at`` becomes ``TIMESTAMP WITH TIME ZONE`` on a server
    (it was written as UTC without a zone, so each value is read as UTC). Every other
    timestamp already has its zone. SQLite stores the same text either way: nothing to do
    there but record the step."""
    import sqlalchemy as sa

    if conn.dialect.name != "postgresql":
        return
    kind = conn.execute(
        sa.text(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = :t AND column_name = 'applied_at'"
        ),
        {"t": MIGRATIONS_TABLE},
    ).scalar()
    if kind == "timestamp without time zone":
        conn.execute(
            sa.text(
                f"ALTER TABLE {MIGRATIONS_TABLE} ALTER COLUMN applied_at TYPE "
                "TIMESTAMP WITH TIME ZONE USING applied_at AT TIME ZONE 'UTC'"
            )
        )


def m005_calendar_and_nfc_names(conn: sa.Connection) -> None:
    """Three things, one step:

    * ``calendar_entry``: what each ``export ics`` published per plan (append-only), so
      the next export can number changed sessions and cancel the ones that are gone;
    * an index on ``event(plan_id, kind, milestone_id)`` for the latest-state queries;
    * plan names in Unicode NFC (``planner.rules.normal_name``), as they are now stored
      and compared. Two plans whose names become the same are refused before anything
      is written (DatabaseError, exit 6): the transaction changes nothing.
    """
    import unicodedata

    import sqlalchemy as sa

    from planner.errors import DatabaseError

    names = list(conn.execute(sa.text("SELECT id, name FROM plan ORDER BY id")))
    by_name: dict[str, list[tuple[int, str]]] = {}
    for pid, name in names:
        by_name.setdefault(unicodedata.normalize("NFC", name), []).append((pid, name))
    clashes = [rows for rows in by_name.values() if len(rows) > 1]
    if clashes:
        shown = "; ".join(
            " and ".join(f"{ascii(name)} (id {pid})" for pid, name in rows) for rows in clashes
        )
        msg = (
            f"Plans whose names look the same but are written with different Unicode "
            f"characters: {shown}. This planner treats them as one name, so it cannot "
            "upgrade the database; nothing was changed. With the planner that made them, "
            "give one of each pair another name (`planner --plan NAME export json --output "
            "plan.json`, `planner delete-plan NAME`, `planner import plan.json --as "
            "NEW_NAME`), then run this planner again."
        )
        raise DatabaseError(msg)

    meta = sa.MetaData()
    sa.Table("plan", meta, sa.Column("id", sa.Integer, primary_key=True))  # referenced only
    entries = sa.Table(
        "calendar_entry",
        meta,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "plan_id",
            sa.Integer,
            sa.ForeignKey("plan.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("uid", sa.String(200), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_calendar_entry_plan_uid", "plan_id", "uid"),
    )
    # Made again as they are when the step's record alone was lost.
    entries.create(conn, checkfirst=True)
    conn.execute(
        sa.text(
            "CREATE INDEX IF NOT EXISTS ix_event_plan_kind_milestone "
            "ON event (plan_id, kind, milestone_id)"
        )
    )
    for pid, name in names:
        normal = unicodedata.normalize("NFC", name)
        if normal != name:
            conn.execute(
                sa.text("UPDATE plan SET name = :n WHERE id = :i"), {"n": normal, "i": pid}
            )


MIGRATIONS: list[tuple[int, str, Callable[[sa.Connection], None]]] = [
    (1, "m001_initial", m001_initial),
    (2, "m002_curriculum_snapshots", m002_curriculum_snapshots),
    (3, "m003_study_and_time_off", m003_study_and_time_off),
    (4, "m004_migration_times_with_zone", m004_migration_times_with_zone),
    (5, "m005_calendar_and_nfc_names", m005_calendar_and_nfc_names),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
