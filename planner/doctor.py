"""``planner doctor``: check the database and every plan, say what is wrong and how to fix it.

It only reads. Progress whose milestones have left the curriculum ("orphaned") is kept
and reported, never dropped: it counts again if the milestone comes back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    level: str  # ok, info, warning, error
    subject: str
    message: str
    fix: str = ""


def check(db: str | None) -> list[Finding]:
    import sqlalchemy as sa

    from planner import db as dbmod
    from planner import settings, tracker
    from planner.curriculum import load_role
    from planner.errors import PlannerError
    from planner.service import merge_roles

    findings: list[Finding] = []
    url = settings.database_url(db)
    if not dbmod.database_exists(db):
        return [
            Finding(
                "info", "database", f"no database yet at {url}", "`planner start ROLE` creates it"
            )
        ]
    database = dbmod.open_database(db)
    where = database.where
    with database.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
            if result == ["ok"]:
                findings.append(Finding("ok", "database", f"{where}: integrity ok"))
            else:
                findings.append(
                    Finding(
                        "error",
                        "database",
                        f"{where}: integrity check failed: {'; '.join(result[:3])}",
                        "restore your latest backup (`planner backup` makes one); keep this file",
                    )
                )
            mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
            if mode != "wal":
                findings.append(Finding("info", "database", f"journal mode is {mode}, not wal"))
        version = conn.execute(
            sa.text(f"SELECT MAX(version) FROM {dbmod.MIGRATIONS_TABLE}")  # noqa: S608
        ).scalar()
        findings.append(
            Finding("ok", "database", f"schema version {version} of {dbmod.SCHEMA_VERSION}")
        )
    with database.read() as session:
        plans = tracker.list_plans(session=session)
        for plan in plans:
            assert plan.id is not None
            subject = f"plan '{plan.name}'"
            try:
                curriculum = merge_roles([load_role(r) for r in plan.roles])
            except PlannerError as exc:
                findings.append(
                    Finding(
                        "error",
                        subject,
                        exc.message.splitlines()[0],
                        "restore the curriculum file or PLANNER_CURRICULA_PATH",
                    )
                )
                continue
            known = curriculum.by_id
            named = tracker.event_milestones(session=session, plan_id=plan.id)
            orphans = {mid: n for mid, n in named.items() if mid not in known}
            if orphans:
                listed = ", ".join(f"{mid} ({n} events)" for mid, n in sorted(orphans.items()))
                findings.append(
                    Finding(
                        "warning",
                        subject,
                        f"{len(orphans)} milestone(s) with progress are no longer in the "
                        f"curriculum: {listed}",
                        "nothing to do: the events are kept and count again if the milestone "
                        "returns; `planner log` shows them",
                    )
                )
            versions = {c.id: c.version for c in curriculum.roles}
            for role_id, version in plan.curriculum_versions.items():
                current = versions.get(role_id)
                if current is not None and current != version:
                    findings.append(
                        Finding(
                            "info",
                            subject,
                            f"{role_id} changed from version {version} to {current} since the "
                            "plan started",
                        )
                    )
            if not orphans:
                findings.append(
                    Finding(
                        "ok",
                        subject,
                        f"{sum(named.values())} events, all on milestones of its curriculum",
                    )
                )
    return findings
