"""Where things live. Each location comes from one function with an environment
override, so tests (and users) can redirect all of it.

=========================  ==============================================
``PLANNER_HOME``           folder for the database (default: the platform's
                           user data folder, e.g. ``~/.local/share/planner``)
``PLANNER_DB``             the database file itself (``--db`` wins over it)
``PLANNER_DATABASE_URL``   a PostgreSQL URL (wins over both; ``--db`` wins over it)
``PLANNER_DB_SCHEMA``      on a server, the schema planner's tables live in
``PLANNER_PLAN``           the plan commands act on (``--plan`` wins over it)
``PLANNER_CURRICULA_PATH`` extra curriculum folders, searched first
``PLANNER_TODAY``          the day commands act on (read by ``planner.cli.clock``)
=========================  ==============================================
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def home_dir() -> Path:
    """The folder that holds the database; not created here."""
    override = os.environ.get("PLANNER_HOME")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path("planner", appauthor=False)


def database_path(explicit: str | None = None) -> Path:
    """The SQLite file: ``--db``, else ``PLANNER_DB``, else ``planner.db`` in the home folder."""
    chosen = explicit or os.environ.get("PLANNER_DB")
    if chosen:
        return Path(chosen).expanduser()
    return home_dir() / "planner.db"


def database_url(explicit_path: str | None = None) -> str:
    """A SQLAlchemy URL. ``--db`` beats ``PLANNER_DATABASE_URL``, which beats the rest."""
    if not explicit_path:
        url = os.environ.get("PLANNER_DATABASE_URL")
        if url:
            return url
    return "sqlite:///" + str(database_path(explicit_path))


def database_schema() -> str | None:
    """``PLANNER_DB_SCHEMA``: the server schema for planner's tables (None: the default
    ``search_path``, usually ``public``). Checked where it is used (``planner.server``)."""
    return os.environ.get("PLANNER_DB_SCHEMA") or None


def _bundled(name: str) -> Path:
    """A data folder shipped in the wheel (``planner/<name>``) or, in a source
    checkout or editable install, beside the package (``<repo>/<name>``)."""
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


def builtin_curricula_dir() -> Path:
    return _bundled("curricula")


def templates_dir() -> Path:
    return _bundled("templates")


def curricula_dirs() -> list[Path]:
    """Folders searched for ``<id>.yaml``: ``PLANNER_CURRICULA_PATH`` first, then built-in."""
    extra = os.environ.get("PLANNER_CURRICULA_PATH", "")
    dirs = [Path(p).expanduser() for p in extra.split(os.pathsep) if p.strip()]
    dirs.append(builtin_curricula_dir())
    return dirs
