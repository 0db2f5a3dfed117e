"""Skip typer's pydantic coercion of a parameter that was not given (its value is None).

typer 0.29 coerces every parameter of every command it runs through
``typer.core._TyperParameter.process_value``, and the first coercion of a parameter builds
a pydantic ``TypeAdapter`` for it (``typer._coercion.build_runtime_param``, which imports
``typer._adapters`` and with it pydantic's schema machinery: 70 ms or more). It does so even
for a value of None, an option or argument that was not given, such as ``--db`` and
``--plan`` on every run; and ``RuntimeParam.coerce`` answers None (or ``()`` for a
multi-value parameter) without using the adapter. So the adapter is built, and pydantic
imported, only to be ignored.

``install()`` replaces ``_TyperParameter.process_value`` with one that does, for None,
exactly what the stock method does (None or ``()``; ``MissingParameter`` for a required
parameter; the parameter's callback) without building the adapter; likewise for a str
given to a parameter annotated ``str`` or ``str | None`` (coercing it gives it back
unchanged, so ``planner --plan NAME status`` needs no pydantic either); and calls the
stock method for every other value. A bool value of a ``bool`` parameter (a flag such as
``--help``) needs nothing here: the stock method already skips coercion for it.

It is applied only to the typer versions it was checked against (``TESTED_TYPER``), and
only while the private names it relies on are there; otherwise typer is left alone: slower,
never wrong.

Remove this module, and its ``install()`` in ``planner/cli/__init__.py``, once typer skips
coercion of None in ``_TyperParameter.process_value`` (does not build the runtime
parameter, ``get_runtime_param()``, for a value of None).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
import typer.core

# The typer minor versions whose ``_TyperParameter.process_value`` (and the
# ``RuntimeParam.coerce`` it calls) this module mirrors; read both again before adding one.
TESTED_TYPER = ("0.29",)

_stock: Callable[[Any, Any, Any], Any] | None = None  # the method replaced, while installed
_missing: Any = None  # typer's MissingParameter, once installed


def supported(version: str | None = None) -> bool:
    """Whether typer ``version`` (default: the one loaded) is one this override was checked
    against, and the private names it relies on are there."""
    version = typer.__version__ if version is None else version
    if ".".join(version.split(".")[:2]) not in TESTED_TYPER:
        return False
    parameter = getattr(typer.core, "_TyperParameter", None)
    own = vars(parameter) if isinstance(parameter, type) else {}
    click = getattr(typer.core, "_click", None)
    coercion = getattr(typer, "_coercion", None)
    method = own.get("process_value") if _stock is None else _stock
    return (
        getattr(method, "__module__", None) == "typer.core"  # typer's own: not click's, no patch
        and callable(own.get("get_runtime_param"))
        and callable(getattr(parameter, "value_is_missing", None))
        and isinstance(getattr(getattr(click, "exceptions", None), "MissingParameter", None), type)
        and callable(getattr(getattr(coercion, "RuntimeParam", None), "coerce", None))
    )


# Annotations whose coercion of a str is the str itself (pydantic's lax mode)
_PLAIN_TEXT = (str, str | None)


def process_value(self: Any, ctx: Any, value: Any) -> Any:
    """``_TyperParameter.process_value`` without building a TypeAdapter for None, or
    for text given to a parameter of plain ``str`` (``--plan NAME``, ``--db PATH``).

    Mirrors typer 0.29's method, with ``RuntimeParam.coerce`` inlined for those values.
    """
    assert _stock is not None
    if value is None:
        if self.multiple or self.nargs == -1:  # RuntimeParam.coerce(None)
            value = ()
    elif not (isinstance(value, str) and self.type_descriptor.annotation in _PLAIN_TEXT):
        return _stock(self, ctx, value)
    if self.required and self.value_is_missing(value):
        raise _missing(ctx=ctx, param=self)
    if self.callback is not None:
        value = self.callback(ctx, self, value)
    return value


def install() -> bool:
    """Put the override in place if this typer is supported; whether it is in place."""
    global _stock, _missing
    if _stock is not None:
        return True
    if not supported():
        return False
    from typer._click.exceptions import MissingParameter  # what the stock method raises

    _missing = MissingParameter
    _stock = typer.core._TyperParameter.process_value
    typer.core._TyperParameter.process_value = process_value  # type: ignore[method-assign]
    return True


def uninstall() -> None:
    """Put typer's own method back (nothing to do when the override is not in place)."""
    global _stock
    if _stock is None:
        return
    typer.core._TyperParameter.process_value = _stock  # type: ignore[method-assign,assignment]
    _stock = None


def installed() -> bool:
    return _stock is not None
