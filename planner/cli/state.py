"""Global options shared by every command."""

from __future__ import annotations

import os
from dataclasses import dataclass

import typer


@dataclass
class State:
    db: str | None = None
    plan: str | None = None

    @property
    def plan_name(self) -> str | None:
        return self.plan or os.environ.get("PLANNER_PLAN") or None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    return root.obj if isinstance(root.obj, State) else State()
