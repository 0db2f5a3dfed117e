"""Find, read, resolve and validate curriculum files.

A role is its YAML file plus every module it includes (transitively), merged and
checked as a whole. Every problem found is reported, one ``file:line:col: message``
line each; nothing is ever executed (``yaml`` safe loading only, aliases bounded).
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Any, Union, cast, get_args, get_origin

from planner import settings
from planner.errors import CurriculumInvalid, UnknownRole
from planner.search import SUFFIXES, find_in

if TYPE_CHECKING:
    import yaml

    from planner.cache import Provenance
    from planner.models import Curriculum, CurriculumFile

MAX_FILE_BYTES = 1024 * 1024
MAX_EXPANDED_NODES = 50_000  # values in a file, aliases expanded (shipped roles: ~1,500)
MAX_ENTRIES = 1_000  # items in one YAML list or mapping
MAX_PROBLEMS = 100  # schema problems shown per file; then one line says how many more
# YAML 1.1 also reads 012 (octal), 0x1f, 0b1, 1_000, 1:30 (base 60) and 1:30.5 as numbers
PLAIN_INT_RE = re.compile(r"^[-+]?(0|[1-9][0-9]*)$")


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LoadedFile:
    """One parsed and schema-checked file, with its YAML node tree for locating problems."""

    path: Path
    model: CurriculumFile
    root: yaml.Node
    digest: str  # SHA-256 of the bytes parsed


def _loader_class() -> type[Any]:
    import yaml

    base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        """Safe loader that refuses duplicate mapping keys instead of keeping the last."""

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode):
                    if key_node.value in seen:
                        raise yaml.constructor.ConstructorError(
                            None,
                            None,
                            f"duplicate key '{key_node.value}' "
                            f"(first used on line {seen[key_node.value] + 1})",
                            key_node.start_mark,
                        )
                    seen[key_node.value] = key_node.start_mark.line
            return super().construct_mapping(node, deep)

        def construct_object(self, node: Any, deep: bool = False) -> Any:
            """Values YAML cannot build (``2001-13-45``, a 5,000-digit number) are
            located problems, not crashes; so are numbers YAML 1.1 reads differently
            from how they look (``012`` is 10, ``1:30`` is 90)."""
            if (
                isinstance(node, yaml.ScalarNode)
                and not node.style
                and (
                    (node.tag == "tag:yaml.org,2002:int" and not PLAIN_INT_RE.match(node.value))
                    or (
                        node.tag == "tag:yaml.org,2002:float" and any(c in node.value for c in ":_")
                    )
                )
            ):
                text = node.value if len(node.value) <= 40 else node.value[:40] + "..."
                try:
                    number = f"the number {super().construct_object(node, deep)}"
                except (ValueError, OverflowError):
                    number = "a number"
                if len(number) > 60:
                    number = "a number"
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"YAML 1.1 reads {text!r} as {number}; write the number in plain "
                    "decimal, or quote it to keep it as text",
                    node.start_mark,
                )
            try:
                return super().construct_object(node, deep)
            except (ValueError, OverflowError) as exc:
                kind = str(node.tag).rsplit(":", 1)[-1]
                text = str(node.value)
                shown = repr(text if len(text) <= 40 else text[:40] + "...")
                reason = f"{len(text):,} digits is too many" if kind == "int" else str(exc)
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"cannot read {shown} as a YAML {kind} ({reason}); quote it to keep it as text",
                    node.start_mark,
                ) from None

    return Loader


def _where(path: Path, line: int | None = None, column: int | None = None) -> str:
    """``path:line:col`` with 1-based numbers (YAML marks are 0-based)."""
    if line is None:
        return str(path)
    return f"{path}:{line + 1}:{(column or 0) + 1}"


def _expanded_size(root: yaml.Node, path: Path) -> int:
    """Node count with aliases expanded, computed without expanding them."""
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if children_done:
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                break
            continue
        sizes[key] = -1  # in progress
        stack.append((node, True))
        for child in children:
            state = sizes.get(id(child))
            if state == -1:
                raise CurriculumInvalid(
                    [
                        f"{_where(path, child.start_mark.line, child.start_mark.column)}: "
                        "recursive YAML alias"
                    ]
                )
            if state is None:
                stack.append((child, False))
    return max(sizes.values(), default=0)


def _count_nodes(text: str, path: Path) -> bool:
    """Refuse documents too big to build before building them; True if any alias.

    Streams parser events, so memory stays flat however large the document is. Besides
    the total, each list or mapping is bounded, which bounds the schema errors one
    milestone (or project, or skill) can produce.
    """
    import yaml

    def refuse(event: yaml.Event, what: str) -> CurriculumInvalid:
        mark = event.start_mark
        where = _where(path, mark.line, mark.column) if mark else str(path)
        return CurriculumInvalid(
            [f"{where}: more than {what}; split the curriculum into modules that roles include"]
        )

    parser = _loader_class()(text)
    nodes, has_alias = 0, False
    open_collections: list[list[int]] = []  # [entries so far, YAML values per entry]
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, yaml.CollectionEndEvent):
                open_collections.pop()
            if not isinstance(event, yaml.NodeEvent):
                continue
            nodes += 1
            has_alias = has_alias or isinstance(event, yaml.AliasEvent)
            if nodes > MAX_EXPANDED_NODES:
                raise refuse(event, f"{MAX_EXPANDED_NODES:,} YAML values")
            if open_collections:
                count = open_collections[-1]
                count[0] += 1
                if count[0] > MAX_ENTRIES * count[1]:
                    raise refuse(event, f"{MAX_ENTRIES:,} entries in one list or mapping")
            if isinstance(event, yaml.CollectionStartEvent):
                per_entry = 2 if isinstance(event, yaml.MappingStartEvent) else 1
                open_collections.append([0, per_entry])
    finally:
        parser.dispose()
    return has_alias


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None, str]:
    """Parse one file safely: (data, node tree, SHA-256 of the bytes read); raise
    CurriculumInvalid with located problems."""
    import hashlib

    import yaml

    try:
        if not path.is_file():
            raise CurriculumInvalid([f"{path}: not a file"])
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CurriculumInvalid(
                [f"{path}: file is {size:,} bytes; curricula are limited to 1 MiB"]
            )
        raw = path.read_bytes()[: MAX_FILE_BYTES + 1]
    except OSError as exc:
        raise CurriculumInvalid([f"{path}: cannot read file: {exc.strerror}"]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start)
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1)
        raise CurriculumInvalid(
            [f"{_where(path, line, column)}: not valid UTF-8 (byte 0x{raw[exc.start]:02x})"]
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line, column = text.count("\n", 0, nul), nul - (text.rfind("\n", 0, nul) + 1)
        raise CurriculumInvalid(
            [f"{_where(path, line, column)}: contains a NUL byte; not a text file"]
        )
    loader = _loader_class()(text)
    try:
        has_alias = _count_nodes(text, path)
        root = loader.get_single_node()
        if root is None:
            return None, None, ""
        if has_alias and _expanded_size(root, path) > MAX_EXPANDED_NODES:
            raise CurriculumInvalid(
                [
                    f"{_where(path, root.start_mark.line, root.start_mark.column)}: "
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} values; "
                    "write the values out instead of repeating aliases"
                ]
            )
        return loader.construct_document(root), root, hashlib.sha256(raw).hexdigest()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        if mark is None:
            raise CurriculumInvalid([f"{path}: {message}"]) from None
        raise CurriculumInvalid([f"{_where(path, mark.line, mark.column)}: {message}"]) from None
    except yaml.YAMLError as exc:
        raise CurriculumInvalid([f"{path}: {exc}"]) from None
    except RecursionError:
        raise CurriculumInvalid([f"{path}: YAML nested too deeply"]) from None
    finally:
        loader.dispose()


def _node_at(root: yaml.Node, loc: tuple[int | str, ...]) -> tuple[yaml.Node, bool]:
    """The deepest node along ``loc``; the flag says whether all of ``loc`` was found.

    For a mapping key that names an unknown field, the key node itself is returned.
    """
    import yaml

    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(part):
                    node = value_node
                    break
            else:
                return node, False
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return node, False
            node = node.value[part]
        else:
            return node, False
    return node, True


def _key_node_at(root: yaml.Node, loc: tuple[int | str, ...]) -> yaml.Node:
    """For ``loc`` ending in a mapping key, the key node (where a field is written)."""
    import yaml

    parent, found = _node_at(root, loc[:-1])
    if found and isinstance(parent, yaml.MappingNode):
        for key_node, _ in parent.value:
            if key_node.value == str(loc[-1]):
                return cast("yaml.Node", key_node)
    return _node_at(root, loc)[0]


def _dotted(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _fields_at(loc: tuple[int | str, ...]) -> list[str]:
    """The fields of the model at ``loc``, a location in a file as pydantic gives it
    (``("projects", 0, "datasets", 1)`` is a Dataset), in the order the model declares
    them; none when nothing in the format sits there or it is not a model."""
    from pydantic import BaseModel

    from planner.models import CurriculumFile

    def unwrap(annotation: Any) -> Any:
        """``Profile | None`` -> ``Profile``."""
        if get_origin(annotation) in (Union, UnionType):
            kept = [a for a in get_args(annotation) if a is not type(None)]
            return kept[0] if len(kept) == 1 else None
        return annotation

    annotation: Any = CurriculumFile
    for part in loc:
        annotation = unwrap(annotation)
        if isinstance(part, int):
            if get_origin(annotation) is not list:
                return []
            (annotation,) = get_args(annotation)
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(part)
            if field is None:
                return []
            annotation = field.annotation
        else:
            return []
    annotation = unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def _unknown_field(field: str, fields: list[str]) -> str:
    """``unknown field 'hour'; did you mean 'hours'?``, from the fields valid where it was
    written (never the word typed), or the list of them when none is close."""
    choices = [f for f in fields if f != field]
    close = difflib.get_close_matches(field, choices, n=1) or difflib.get_close_matches(
        field.casefold(), choices, n=1
    )
    if close:
        return f"unknown field '{field}'; did you mean '{close[0]}'?"
    if choices:
        return f"unknown field '{field}'; expected one of: {', '.join(choices)}"
    return f"unknown field '{field}'"


def _non_text_keys(parent: yaml.Node | None) -> list[yaml.Node]:
    """Keys of a mapping that YAML reads as something other than text (``on:``, ``1:``)."""
    import yaml

    if not isinstance(parent, yaml.MappingNode):
        return []
    return [
        key
        for key, _ in parent.value
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:str"
    ]


def _schema_problems(
    path: Path, root: yaml.Node | None, error: Any, within: tuple[int | str, ...] = ()
) -> list[str]:
    """One located line per pydantic error (``within``: where the validated part sits)."""
    problems = []
    errors = error.errors(include_url=False)
    bad_keys_seen: dict[tuple[int | str, ...], int] = {}
    for err in errors[:MAX_PROBLEMS]:
        loc = within + tuple(
            p for p in err["loc"] if not isinstance(p, str) or not p.startswith("function")
        )
        kind = err["type"]
        if kind == "invalid_key":
            parent_loc = loc[:-1]
            parent = _node_at(root, parent_loc)[0] if root is not None else None
            keys = _non_text_keys(parent)
            index = bad_keys_seen.get(parent_loc, 0)
            bad_keys_seen[parent_loc] = index + 1
            written = keys[index].value if index < len(keys) else None
            node = keys[index] if index < len(keys) else parent
            message = (
                f"key {f'{written!r} ' if written else ''}is read by YAML as "
                f"{err.get('input')!r}, not as text; quote it"
                + (f': "{written}":' if written else "")
            )
            where_loc = parent_loc
        elif kind == "extra_forbidden":
            node = _key_node_at(root, loc) if root is not None else None
            message = _unknown_field(str(loc[-1]), _fields_at(loc[:-1]))
            where_loc = loc[:-1]
        elif kind == "missing":
            node = _node_at(root, loc)[0] if root is not None else None
            message = f"missing field '{loc[-1]}'"
            where_loc = loc[:-1]
        else:
            node = _node_at(root, loc)[0] if root is not None else None
            message = err["msg"]
            value = err.get("input")
            if kind == "string_type" and isinstance(value, bool | int | float):
                message += (
                    f' (YAML read {value!r}: quote it, e.g. "no" or "1.10", to keep it as text)'
                )
            elif kind == "string_type" and value is None:
                message += " (YAML read ~, null or nothing as no value: write the text)"
            elif kind == "string_type" and isinstance(value, date):
                message += f" (YAML read {value} as a date: quote it to keep it as text)"
            where_loc = loc
        mark = node.start_mark if node is not None else None
        prefix = _where(path, mark.line, mark.column) if mark is not None else str(path)
        label = _dotted(where_loc)
        problems.append(f"{prefix}: {label + ': ' if label else ''}{message}")
    if len(errors) > MAX_PROBLEMS:
        problems.append(
            f"{path}: and {len(errors) - MAX_PROBLEMS:,} more problems; fix these first"
        )
    return problems


def _check_items(path: Path, root: yaml.Node | None, data: dict[Any, Any]) -> None:
    """Schema-check skills, milestones and projects one item at a time, stopping once
    MAX_PROBLEMS are found: a file of 30,000 broken milestones would otherwise build
    hundreds of thousands of errors (and as many megabytes) only to show the first 100.
    The whole file is checked afterwards, so below the limit every problem is reported.
    """
    from pydantic import BaseModel, ValidationError

    from planner.models import Milestone, Project, Skill

    sections: dict[str, type[BaseModel]] = {
        "skills": Skill,
        "milestones": Milestone,
        "projects": Project,
    }
    problems: list[str] = []
    for section, model in sections.items():
        items = data.get(section)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            try:
                model.model_validate(item)
            except ValidationError as exc:
                problems.extend(_schema_problems(path, root, exc, (section, index)))
            if len(problems) > MAX_PROBLEMS:
                raise CurriculumInvalid(
                    [
                        *problems[:MAX_PROBLEMS],
                        f"{path}: stopped after {MAX_PROBLEMS} problems; fix these first",
                    ]
                )


_file_cache: dict[tuple[str, int, int], LoadedFile] = {}


def load_file(path: Path) -> LoadedFile:
    """Read and schema-check one file (not its includes). Cached per process."""
    from pydantic import ValidationError

    from planner.models import CurriculumFile

    try:
        stat = path.stat()
        cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        cache_key = None
    if cache_key is not None and cache_key in _file_cache:
        return _file_cache[cache_key]
    data, root, digest = _read_yaml(path)
    if data is None:
        raise CurriculumInvalid([f"{path}: file is empty; a curriculum needs at least an 'id'"])
    if not isinstance(data, dict):
        raise CurriculumInvalid(
            [
                f"{_where(path, 0, 0)}: expected a mapping of fields at the top level, "
                f"found {type(data).__name__}"
            ]
        )
    _check_items(path, root, data)
    try:
        model = CurriculumFile.model_validate(data)
    except ValidationError as exc:
        raise CurriculumInvalid(_schema_problems(path, root, exc)) from None
    assert root is not None
    loaded = LoadedFile(path=path, model=model, root=root, digest=digest)
    if cache_key is not None:
        _file_cache[cache_key] = loaded
    return loaded


# --------------------------------------------------------------------------- finding


def is_path_reference(ref: str) -> bool:
    return ref.endswith(SUFFIXES) or "/" in ref or os.sep in ref


def available() -> list[tuple[str, Path]]:
    """Every curriculum file on the search path as ``(id, path)``; earlier folders win."""
    found: dict[str, Path] = {}
    for folder in settings.curricula_dirs():
        if not folder.is_dir():
            continue
        for candidate in sorted(folder.iterdir()):
            if candidate.suffix in SUFFIXES and candidate.is_file():
                found.setdefault(candidate.stem, candidate)
    return sorted(found.items())


def is_builtin(path: Path) -> bool:
    return path.resolve().parent == settings.builtin_curricula_dir().resolve()


def _role_ids() -> list[str]:
    ids = []
    for cid, path in available():
        try:
            if load_file(path).model.kind == "role":
                ids.append(cid)
        except CurriculumInvalid:
            continue
    return ids


def find_curriculum(ref: str) -> Path:
    """A role id or a path to a YAML file -> the file; UnknownRole if there is none.
    A role id is compared in NFC (as plan names are); a path is used as it is given."""
    if is_path_reference(ref):
        path = Path(ref).expanduser()
        if not path.is_file():
            msg = f"No curriculum file at '{ref}'. Give a role id or the path of a .yaml file."
            raise UnknownRole(msg)
        return path
    import unicodedata

    ref = unicodedata.normalize("NFC", ref)
    found = find_in(settings.curricula_dirs(), ref)
    if found is not None:
        return found
    roles = _role_ids()
    close = difflib.get_close_matches(ref, roles, n=1, cutoff=0.5)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    msg = (
        f"Unknown role '{ref}'.{hint} Available: {', '.join(roles) or 'none'}. "
        "See `planner curricula list`."
    )
    raise UnknownRole(msg)


# --------------------------------------------------------------------------- resolving


@dataclass
class _Ref:
    """A reference from one file to an id, remembered with where it is written."""

    file: LoadedFile
    loc: tuple[int | str, ...]

    def where(self) -> str:
        node = _node_at(self.file.root, self.loc)[0]
        return _where(self.file.path, node.start_mark.line, node.start_mark.column)


def _suggest(name: str, choices: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _collect(
    path: Path, provenance: Provenance | None = None
) -> tuple[list[LoadedFile], list[str]]:
    """Load a file and its includes depth-first (includes before includers, each once),
    noting in ``provenance`` what was read and where each include was found."""
    ordered: list[LoadedFile] = []
    problems: list[str] = []
    done: set[str] = set()

    def visit(loaded: LoadedFile, chain: list[str]) -> None:
        model = loaded.model
        for index, include in enumerate(model.includes):
            ref = _Ref(loaded, ("includes", index))
            if include in chain or include == model.id:
                cycle = (
                    " -> ".join([*chain[chain.index(include) :], model.id, include])
                    if include in chain
                    else f"{model.id} -> {include}"
                )
                problems.append(f"{ref.where()}: include cycle: {cycle}")
                continue
            if include in done:
                continue
            dirs = [loaded.path.parent, *settings.curricula_dirs()]
            found = find_in(dirs, include)
            if found is None:
                known = {
                    p.stem for d in dirs if d.is_dir() for p in d.iterdir() if p.suffix in SUFFIXES
                }
                problems.append(
                    f"{ref.where()}: unknown include '{include}'{_suggest(include, known)}"
                )
                continue
            if provenance is not None:
                provenance.lookups.append(
                    (str(loaded.path.parent.absolute()), include, str(found.absolute()))
                )
            try:
                child = load_file(found)
            except CurriculumInvalid as exc:
                problems.extend(exc.problems)
                done.add(include)
                continue
            if child.model.id != include:
                problems.append(
                    f"{_where(found, 0, 0)}: id '{child.model.id}' does not match the "
                    f"file name '{found.stem}'"
                )
            done.add(include)
            visit(child, [*chain, model.id])
        ordered.append(loaded)

    top = load_file(path)
    if top.model.id != path.stem:
        problems.append(
            f"{_where(path, 0, 0)}: id '{top.model.id}' does not match the file name "
            f"'{path.stem}'; rename one of them"
        )
    done.add(top.model.id)
    visit(top, [])
    return ordered, problems


def _visible(files: list[LoadedFile]) -> dict[str, set[str]]:
    """For each file id, the ids of itself and everything it includes transitively."""
    by_id = {f.model.id: f for f in files}
    closure: dict[str, set[str]] = {}
    for f in files:  # includes come before includers
        seen = {f.model.id}
        for include in f.model.includes:
            seen |= closure.get(include, set())
        closure[f.model.id] = seen
    return {fid: ids & by_id.keys() for fid, ids in closure.items()}


def _find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A prerequisite cycle as a list of ids (first == last), or None."""
    white, grey, black = 0, 1, 2
    color = dict.fromkeys(graph, white)
    for start in graph:
        if color[start] != white:
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        path: list[str] = []
        color[start] = grey
        path.append(start)
        while stack:
            node, index = stack[-1]
            edges = graph.get(node, [])
            if index < len(edges):
                stack[-1] = (node, index + 1)
                nxt = edges[index]
                if nxt not in color:
                    continue
                if color[nxt] == grey:
                    return [*path[path.index(nxt) :], nxt]
                if color[nxt] == white:
                    color[nxt] = grey
                    path.append(nxt)
                    stack.append((nxt, 0))
            else:
                color[node] = black
                path.pop()
                stack.pop()
    return None


def _cross_check(files: list[LoadedFile]) -> list[str]:
    problems: list[str] = []
    visible = _visible(files)
    owners: dict[str, dict[str, tuple[LoadedFile, int]]] = {
        "skills": {},
        "milestones": {},
        "projects": {},
    }
    for f in files:
        for section, table in owners.items():
            for index, item in enumerate(getattr(f.model, section)):
                if item.id in table:
                    first = table[item.id][0]
                    where = _Ref(f, (section, index, "id")).where()
                    problems.append(
                        f"{where}: duplicate {section[:-1]} id '{item.id}' "
                        f"(also in {first.path.name})"
                    )
                else:
                    table[item.id] = (f, index)

    def ids_in(section: str, f: LoadedFile) -> set[str]:
        return {
            i for i, (owner, _) in owners[section].items() if owner.model.id in visible[f.model.id]
        }

    for f in files:
        skills, milestones = ids_in("skills", f), ids_in("milestones", f)
        for section in ("milestones", "projects"):
            for index, item in enumerate(getattr(f.model, section)):
                for j, skill in enumerate(item.skills):
                    if skill not in skills:
                        where = _Ref(f, (section, index, "skills", j)).where()
                        problems.append(
                            f"{where}: unknown skill '{skill}'{_suggest(skill, skills)}"
                        )
                for j, req in enumerate(item.requires):
                    if req not in milestones:
                        where = _Ref(f, (section, index, "requires", j)).where()
                        problems.append(
                            f"{where}: unknown milestone '{req}'{_suggest(req, milestones)}"
                        )
        profile = f.model.profile
        if profile is not None:
            industries = set(profile.industries)
            for index, project in enumerate(f.model.projects):
                for j, industry in enumerate(project.industries):
                    if industry not in industries:
                        where = _Ref(f, ("projects", index, "industries", j)).where()
                        problems.append(
                            f"{where}: industry '{industry}' is not in profile.industries"
                            f"{_suggest(industry, industries)}"
                        )

    graph = {
        mid: list(f.model.milestones[i].requires) for mid, (f, i) in owners["milestones"].items()
    }
    cycle = _find_cycle(graph)
    if cycle is not None:
        f, index = owners["milestones"][cycle[0]]
        where = _Ref(f, ("milestones", index, "requires")).where()
        problems.append(f"{where}: prerequisite cycle: {' -> '.join(cycle)}")
    return problems


def check_resolved(curriculum: Curriculum) -> list[str]:
    """The checks ``resolve_file`` makes across files, for a curriculum that arrives
    already resolved (an imported plan's): each problem as ``section[i].field: message``.

    A role needs milestones; ids are unique; every skill and prerequisite a milestone or
    project names exists; prerequisites have no cycle.
    """
    problems: list[str] = []
    if curriculum.kind == "role" and not curriculum.milestones:
        problems.append("milestones: a role needs at least one milestone")
    seen: dict[str, set[str]] = {}
    for section in ("skills", "milestones", "projects"):
        ids = seen.setdefault(section, set())
        for index, item in enumerate(getattr(curriculum, section)):
            if item.id in ids:
                problems.append(f"{section}[{index}].id: duplicate {section[:-1]} id '{item.id}'")
            ids.add(item.id)
    for section in ("milestones", "projects"):
        for index, item in enumerate(getattr(curriculum, section)):
            for j, skill in enumerate(item.skills):
                if skill not in seen["skills"]:
                    problems.append(f"{section}[{index}].skills[{j}]: unknown skill '{skill}'")
            for j, req in enumerate(item.requires):
                if req not in seen["milestones"]:
                    problems.append(f"{section}[{index}].requires[{j}]: unknown milestone '{req}'")
    cycle = _find_cycle({m.id: list(m.requires) for m in curriculum.milestones})
    if cycle is not None:
        problems.append(f"milestones: prerequisite cycle {' -> '.join(cycle)}")
    return problems


def resolve_file(path: Path, provenance: Provenance | None = None) -> Curriculum:
    """Load ``path`` with its includes, check everything, and merge into one Curriculum."""
    from planner.models import Curriculum

    files, problems = _collect(path, provenance)
    if provenance is not None:
        provenance.digests.update({str(f.path.absolute()): f.digest for f in files})
    if not problems:
        problems = _cross_check(files)
    if problems:
        raise CurriculumInvalid(problems)
    top = files[-1].model
    return Curriculum(
        id=top.id,
        kind=top.kind,
        title=top.title,
        summary=top.summary,
        version=top.version,
        profile=top.profile,
        includes=list(top.includes),
        versions={f.model.id: f.model.version for f in files},
        sources={f.model.id: str(f.path) for f in files},
        skills=[s for f in files for s in f.model.skills],
        milestones=[m for f in files for m in f.model.milestones],
        projects=[p for f in files for p in f.model.projects],
    )


_resolved: dict[str, Curriculum] = {}


def load_curriculum(ref: str) -> Curriculum:
    """A role id or path -> its resolved Curriculum.

    Kept per process, and across processes in ``planner.cache`` (keyed on the content of
    every file it is made of), so YAML is parsed and validated once per change.
    """
    from planner import cache

    path = find_curriculum(ref)
    # Not resolved: a link elsewhere finds its includes beside itself, under its own name.
    key = str(path.absolute())
    if key not in _resolved:
        curriculum = cache.load(path)
        if curriculum is None:
            provenance = cache.Provenance()
            curriculum = resolve_file(path, provenance)
            cache.store(path, curriculum, provenance)
        _resolved[key] = curriculum
    return _resolved[key]


def load_role(ref: str) -> Curriculum:
    """Like load_curriculum, but refuses modules (they have no role profile)."""
    curriculum = load_curriculum(ref)
    if curriculum.kind != "role":
        msg = (
            f"'{ref}' is a shared module, not a role. Roles: {', '.join(_role_ids())}. "
            "See `planner curricula list`."
        )
        raise UnknownRole(msg)
    return curriculum
