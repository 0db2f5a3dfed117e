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


def database_path_problem(explicit: str | None = None) -> str | None:
    """What is wrong with the database file named by ``--db`` (``explicit``), else by
    ``PLANNER_DB`` when that is the one used, as a sentence saying what to give; None
    when nothing is. A folder is not a file: an empty value, a path ending in a
    separator and an existing folder are refused (an empty ``PLANNER_DB`` counts as
    unset, as an empty environment variable usually does)."""
    if explicit is not None:
        return _path_problem(explicit, "--db", "--db ")
    if os.environ.get("PLANNER_DATABASE_URL"):
        return None
    chosen = os.environ.get("PLANNER_DB")
    return _path_problem(chosen, "PLANNER_DB", "PLANNER_DB=") if chosen else None


def _path_problem(text: str, name: str, give: str) -> str | None:
    if not text:
        return (
            f"{name} is empty; give a database file, e.g. {give}~/planner.db, or leave "
            f"{name} out to use {home_dir() / 'planner.db'}."
        )
    separators = tuple(s for s in (os.sep, os.altsep) if s)
    if text.endswith(separators):
        return (
            f"{give}{text} ends with '{text[-1]}', so it names a folder; give a database "
            f"file in it, e.g. {give}{text}planner.db."
        )
    if Path(text).expanduser().is_dir():
        return (
            f"{give}{text} is a folder; give a database file in it, e.g. "
            f"{give}{Path(text) / 'planner.db'}."
        )
    return None


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
