"""Every name the documents put in backticks, where it points into this repository, exists.

A rename that leaves a document behind should fail here, not mislead the next reader. What
`problems` checks, in the inline code spans of a document (fenced blocks are examples, not
references) and in its relative links:

- a dotted name, `module.Name` or `Class.member` (a trailing `(...)` or `[...]` is ignored): its
  first part must be `pulumi_fruxon`, `fruxon` (the README's `import pulumi_fruxon as fruxon`),
  a module of the package (`_publishing`, `testing._store`) or a name defined in one, and every
  further part an attribute, a declared field or an instance attribute of what comes before;
- a private name, `_name`, or a CamelCase name, `WalkGuard`: defined in the package, at module or
  class level (a CamelCase name may also be Pulumi's or a builtin);
- `python -m module`: the module exists;
- a name placed in a module, "`fingerprint` (`_fingerprint.py`)" or "`a` and `b` in
  `pulumi_fruxon/_retry.py`": each name is defined in that module, not merely imported there;
- a file or folder, `name.py` (some file of the repository has that name) or `path/to/file`
  (from the repository root, the package or the document's folder);
- a relative link, `[text](path#anchor)`: the file exists, and so does the anchor (an
  `<a id="…">` or a heading) when it points into a Markdown file.

Everything else in backticks (commands, output names, wire fields, values) is left alone. A
dotted, private or CamelCase name that is neither ours nor Pulumi's is reported too, unless
`FOREIGN` lists it: keep that list short, and say whose each name is.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import importlib
import inspect
import os
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import pulumi_fruxon

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md", REPO / "CHANGELOG.md"]

# Names the documents use that are neither ours nor Pulumi's (Pulumi's are looked up in its SDK,
# `_pulumi_has`), and so are not checked: the first part of a dotted name, or a whole name.
FOREIGN = {
    "sys",  # the standard library, httpx and dill
    "traceback",
    "httpx",
    "dill",
    "Paging",  # Fruxon's API schema, as its reference pages spell it
    "runtime",  # `runtime.options` of a Pulumi.yaml
    "req",  # the argument of `ResourceProvider.configure`, as the docs name it
    "ErrorResourceInitFailed",  # the engine's (Go) status for a partial failure
    "RunPlugin",  # the language host's gRPC method (pulumirpc) that starts a plugin
    "__provider",  # the input a dynamic resource pickles its provider into
    "_abort_with_traceback",  # the dynamic provider host's (pulumi/dynamic/__main__.py)
}
# Spans shaped like a name that are only part of one.
FRAGMENTS = {"_output"}  # the suffix of each data source's Output twin: `get_integrations_output`
# Path prefixes that are not files of the repository: Pulumi's sources, media types, and what
# `make` and scripts/install-pulumi create.
FOREIGN_PATHS = ("pulumi/", "application/", ".tools/", ".venv/", ".nox/")

# Folders that hold no documented file: caches, virtualenvs, build output, VCS data.
_SKIPPED_DIRS = {".git", ".venv", ".nox", ".tools", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
_FILE_SUFFIXES = (".py", ".md", ".toml", ".json", ".yaml", ".yml", ".cfg", ".in", ".txt", ".go")
_FILE_NAMES = {"go.mod", "go.sum", "Makefile", "LICENSE"}

_SPAN = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
_PRIVATE = re.compile(r"^_{1,2}[A-Za-z]\w*$")
_CAMEL = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_PATH = re.compile(r"^\.?[\w-][\w.-]*(?:/[\w.-]+)*/?$")
_RUN_MODULE = re.compile(r"^python3? (?:-u )?-m ([\w.]+)")
# `name` (`module.py`), `a`, `b` and `c` in `pulumi_fruxon/module.py`: names, then where they are.
_NAMES = r"`[\w.]+`(?:(?:,\s*|,?\s+and\s+|/)`[\w.]+`)*"
_PLACED = re.compile(rf"(?P<names>{_NAMES})\s+(?:\(|in\s+)`(?P<file>[\w/]+\.py)`")
_ANCHOR = re.compile(r"""<a id="([^"]+)">""")
_HEADING = re.compile(r"^#{1,6} (.+)$", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Problem:
    document: str
    line: int
    reference: str
    reason: str

    def __str__(self) -> str:
        return f"{self.document}:{self.line}: `{self.reference}` {self.reason}"


# -- what exists ------------------------------------------------------------------------------


@functools.cache
def _modules() -> dict[str, ModuleType]:
    """Every module of the package by its dotted name, and by that name without the package."""
    found: dict[str, ModuleType] = {"pulumi_fruxon": pulumi_fruxon, "fruxon": pulumi_fruxon}
    for info in pkgutil.walk_packages(pulumi_fruxon.__path__, "pulumi_fruxon."):
        if info.name.endswith(".__main__"):  # importing it would run the command
            continue
        module = importlib.import_module(info.name)
        found[info.name] = module
        found[info.name.removeprefix("pulumi_fruxon.")] = module
        found.setdefault(info.name.rsplit(".", 1)[-1], module)
    return found


def _ours(value: Any) -> bool:
    return str(getattr(value, "__module__", "")).startswith("pulumi_fruxon")


@functools.cache
def _definitions() -> dict[str, list[Any]]:
    """Each name defined at module level in the package, with every object it names."""
    found: dict[str, list[Any]] = {}
    for name, module in _modules().items():
        if "." in name or name == "fruxon":
            continue
        for attribute, value in vars(module).items():
            if isinstance(value, ModuleType):
                continue
            if (inspect.isclass(value) or inspect.isfunction(value)) and not _ours(value):
                continue  # imported from elsewhere
            found.setdefault(attribute, []).append(value)
    return found


@functools.cache
def _members() -> frozenset[str]:
    """Every name defined in the package at module level or in one of its classes."""
    names = set(_definitions())
    for values in _definitions().values():
        for value in values:
            if inspect.isclass(value) and _ours(value):
                names.update(vars(value))
                names.update(_fields(value))
    return frozenset(names)


def _fields(cls: type) -> set[str]:
    """The declared fields of a class: annotations, dataclass and pydantic fields."""
    names: set[str] = set()
    for klass in cls.__mro__:
        names.update(vars(klass).get("__annotations__", {}))
    if dataclasses.is_dataclass(cls):
        names.update(field.name for field in dataclasses.fields(cls))
    names.update(getattr(cls, "model_fields", {}))
    return names


def _member(owner: Any, name: str) -> tuple[bool, Any]:
    """Whether `owner` has `name`, and its value when there is one to look into further."""
    if isinstance(owner, ModuleType) and owner.__name__.startswith("pulumi_fruxon"):
        module = _modules().get(f"{owner.__name__}.{name}")
        if module is not None:
            return True, module
    try:
        return True, getattr(owner, name)
    except AttributeError:
        pass
    if inspect.isclass(owner):
        if name in _fields(owner):
            return True, None
        try:
            source = inspect.getsource(owner)
        except (OSError, TypeError):
            return False, None
        if re.search(rf"\bself\.{re.escape(name)}\s*(?::[^=\n]+)?=", source):
            return True, None  # an instance attribute
    return False, None


def _resolves(dotted: str) -> bool:
    """Whether `dotted` names something, from a module of the package or a name defined in one
    (`client` is both a module and a method's name: either meaning will do)."""
    head, *rest = dotted.split(".")
    starts = [_modules()[head]] if head in _modules() else []
    starts += _definitions().get(head, [])
    return any(_resolves_from(start, rest) for start in starts)


def _resolves_from(start: Any, rest: list[str]) -> bool:
    """Whether each of `rest` is a member of what comes before it, from `start` on."""
    owner = start
    for index, part in enumerate(rest):
        found, owner = _member(owner, part)
        if not found or (owner is None and index < len(rest) - 1):
            return False
    return True


@functools.cache
def _pulumi_has(dotted: str) -> bool:
    """Whether Pulumi's SDK has `dotted`: `pulumi.log.warn`, `Output.secret`, or `Diff`, a method
    of the provider protocol."""
    head, *rest = dotted.split(".")
    if head == "pulumi":
        owner: Any = importlib.import_module("pulumi")
        for index, part in enumerate(rest):
            try:
                owner = getattr(owner, part)
            except AttributeError:
                try:
                    owner = importlib.import_module(".".join(["pulumi", *rest[: index + 1]]))
                except ImportError:
                    return False
        return True
    from pulumi.runtime.proto import provider_pb2_grpc

    namespaces = ["pulumi", "pulumi.dynamic", "pulumi.output", "pulumi.runtime"]
    places = [importlib.import_module(name) for name in namespaces]
    places.append(provider_pb2_grpc.ResourceProviderServicer)
    return any(_resolves_from(place, [head, *rest]) for place in places)


@functools.cache
def _files() -> tuple[frozenset[str], frozenset[str]]:
    """The repository's files and folders (relative, POSIX), and the names of its files."""
    paths: set[str] = set()
    names: set[str] = set()
    for folder, dirs, files in os.walk(REPO):
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")]
        relative = Path(folder).relative_to(REPO).as_posix()
        prefix = "" if relative == "." else relative + "/"
        paths.update(prefix + d for d in dirs)
        paths.update(prefix + f for f in files)
        names.update(files)
    return frozenset(paths), frozenset(names)


def _path_exists(path: str, folder: Path) -> bool:
    path = path.rstrip("/")
    paths, names = _files()
    if "/" not in path:
        return path in names or path in paths or f"pulumi_fruxon/{path}" in paths
    here = folder.relative_to(REPO).as_posix()
    candidates = [path, f"pulumi_fruxon/{path}", os.path.normpath(f"{here}/{path}")]
    return any(Path(candidate).as_posix() in paths for candidate in candidates)


@functools.cache
def _anchors(document: Path) -> frozenset[str]:
    """The ids a link may point at: `<a id="…">`, and GitHub's slug of each heading."""
    text = document.read_text(encoding="utf-8")
    slugs = {
        re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        for heading in _HEADING.findall(text)
    }
    return frozenset(set(_ANCHOR.findall(text)) | slugs)


# -- what the documents say -------------------------------------------------------------------


def _unfenced(text: str) -> str:
    """`text` with every line of a fenced code block emptied (line numbers stay)."""
    kept: list[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            kept.append("")
        else:
            kept.append("" if fenced else line)
    return "\n".join(kept)


def _module_of(file: str) -> ModuleType | None:
    """The package module a file name or path names (`_retry.py`, `pulumi_fruxon/_retry.py`)."""
    name = file.removesuffix(".py").removeprefix("pulumi_fruxon/").replace("/", ".")
    return _modules().get(name.removesuffix(".__init__"))


def _placed(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, name, file) for each name the text places in a module file."""
    for match in _PLACED.finditer(text):
        line = text.count("\n", 0, match.start("file")) + 1
        for name in re.findall(r"`([\w.]+)`", match.group("names")):
            yield line, name, match.group("file")


def _defined_in(name: str, module: ModuleType) -> bool:
    head = name.split(".")[0]
    if head not in vars(module):
        return False
    value = vars(module)[head]
    if (
        inspect.isclass(value) or inspect.isfunction(value)
    ) and value.__module__ != module.__name__:
        return False  # imported there, defined elsewhere
    return _resolves_from(value, name.split(".")[1:])


def _is_path(span: str) -> bool:
    """A file name, or a path under a folder of the repository or of the package (`acme/crm/…`,
    an id, is neither)."""
    if span.startswith("/") or not _PATH.match(span):
        return False
    if span.endswith(_FILE_SUFFIXES) or span in _FILE_NAMES:
        return True
    first = span.split("/", 1)[0]
    return "/" in span and (
        _path_exists(first, REPO) or _path_exists(f"pulumi_fruxon/{first}", REPO)
    )


def _check_span(span: str, folder: Path) -> str | None:
    """Why `span` names nothing that exists, or None (it does, or it is no reference)."""
    run = _RUN_MODULE.match(span)
    if run:
        module = run.group(1)
        if module in _modules() or _pulumi_has(module):
            return None
        return "is no module of pulumi_fruxon or Pulumi's SDK"
    path = span.split("#", 1)[0]
    if _is_path(path):
        if path.startswith(FOREIGN_PATHS) or _path_exists(path, folder):
            return None
        return "is no file or folder of the repository"
    name = re.sub(r"(\(.*\)|\[.*\])$", "", span)
    if _DOTTED.match(name):
        head = name.split(".")[0]
        if head in FOREIGN:
            return None
        if head in _modules() or head in _definitions():
            return None if _resolves(name) else "names an attribute that does not exist"
        if _pulumi_has(name):
            return None
        return "names nothing in pulumi_fruxon or Pulumi's SDK (someone else's? see FOREIGN)"
    if name in FRAGMENTS:
        return None
    if _PRIVATE.match(name) and not name.endswith("__"):
        if name in FOREIGN or name in _members():
            return None
        return "is defined nowhere in pulumi_fruxon (someone else's? see FOREIGN)"
    if _CAMEL.match(name) and any(ch.islower() for ch in name):
        if name in FOREIGN or name in _members() or hasattr(builtins, name) or _pulumi_has(name):
            return None
        return "is defined nowhere in pulumi_fruxon or Pulumi's SDK (see FOREIGN)"
    return None


def _check_link(target: str, document: Path, folder: Path) -> str | None:
    if re.match(r"^[a-z][a-z+.-]*:", target):  # https:, mailto:
        return None
    path, _, anchor = target.partition("#")
    linked = (folder / path).resolve() if path else document
    if not linked.exists():
        return "links to a file that does not exist"
    if anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
        return f"links to an anchor that {linked.name} does not have"
    return None


def problems(document: Path, folder: Path | None = None) -> list[Problem]:
    """Every reference in `document` that names nothing that exists. Relative paths and links
    resolve from `folder`, by default the document's own (which must be in the repository)."""
    folder = folder or document.parent
    found: list[Problem] = []
    shown = document.relative_to(REPO).as_posix() if document.is_relative_to(REPO) else document
    text = _unfenced(document.read_text(encoding="utf-8"))
    for number, name, file in _placed(text):
        module = _module_of(file)
        if module is not None and not _defined_in(name, module):
            found.append(Problem(str(shown), number, name, f"is not defined in {file}"))
    for number, line in enumerate(text.splitlines(), start=1):
        for target in _LINK.findall(line):
            reason = _check_link(target, document, folder)
            if reason:
                found.append(Problem(str(shown), number, target, reason))
        for span in _SPAN.findall(line):
            reason = _check_span(span.strip(), folder)
            if reason:
                found.append(Problem(str(shown), number, span, reason))
    return found


# -- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.relative_to(REPO).as_posix())
def test_every_reference_names_something_that_exists(document: Path) -> None:
    assert [str(problem) for problem in problems(document)] == []


def test_a_renamed_or_moved_name_is_reported(tmp_path: Path) -> None:
    # A page of docs/, as far as relative paths and links go.
    document = tmp_path / "renamed.md"
    fine = """
Fine: `WalkGuard`, `Redactor.text`, `_publishing.publish`, `claim`, `testing/`,
`pulumi_fruxon.errors.PaginationError`, `Transport.request`, `IntegrationAuth.bound_at`,
`IntegrationAuth.get(name, id)`, `SentConsume.workspace`, `pulumi_fruxon/_urls.py`,
`_fingerprint.py`, `tests/support/mocks.py`, `Checker` and `Checker.slug` (`_checks.py`),
`claim` in `pulumi_fruxon/_bindings.py`, `fingerprint` (`_fingerprint.py`),
`python -m pulumi_fruxon.testing`, [state](state-format.md#provider-paths),
`pulumi.log.warn`, `Output.secret`, `Diff`, `make test`, `live`, `acme/crm/0b6f`.
```python
fruxon.NotChecked()  # inside a fence: an example, not a reference
```
"""
    wrong = """
Renamed: `_redact` in `Transport.requestt`.
Moved: `_provider.fingerprint`, `pulumi_fruxon/_redact.py`, `scripts/pulumi-built`,
`fingerprint` (`_provider.py`), `WalkGuard` and `PaginationError` in
`pulumi_fruxon/_pagination.py` (imported there, defined in errors.py).
Gone: `_publishing.publsh`, `Redacter`, `python -m pulumi_fruxon.emulator`.
Not ours, not listed: `requests.get`.
Links: [gone](gone.md), [anchor](state-format.md#no-such-anchor).
"""
    document.write_text(fine, encoding="utf-8")
    assert problems(document, REPO / "docs") == []

    document.write_text(fine + wrong, encoding="utf-8")
    found = problems(document, REPO / "docs")
    assert sorted(problem.reference for problem in found) == sorted(
        [
            "_redact",
            "Transport.requestt",
            "_provider.fingerprint",
            "pulumi_fruxon/_redact.py",
            "scripts/pulumi-built",
            "fingerprint",
            "PaginationError",
            "_publishing.publsh",
            "Redacter",
            "python -m pulumi_fruxon.emulator",
            "requests.get",
            "gone.md",
            "state-format.md#no-such-anchor",
        ]
    )
    first = min(found, key=lambda problem: problem.line)
    assert (first.line, first.reference) == (fine.count("\n") + 2, "_redact")
