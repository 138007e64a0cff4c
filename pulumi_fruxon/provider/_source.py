"""What the Python source says about each resource, function and type, read with `ast`.

The schema is built from the code the dynamic door runs, so the two cannot drift apart:
- a resource's inputs are its class's `__init__` keyword parameters, typed by their annotations
  (`pulumi.Input[...]`), required when they have no default; each one's text is the
  `:param name: text` line of the `__init__` docstring;
- its outputs are the `name: pulumi.Output[...]` annotations of the class body, each described
  by the string literal that follows it (an attribute docstring);
- its secret properties are the names it passes to `additional_secret_outputs`, and the inputs
  it wraps in `pulumi.Output.secret(...)`;
- a function's arguments and text come the same way from its signature and docstring, its
  outputs from the fields and properties of the result class it returns;
- an object type's properties are the fields of a pydantic model in `models.py`.

Nothing is imported or run to read them: `ast` sees the annotations as written, which
`from __future__ import annotations` keeps as text.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_PARAM = re.compile(r"^:param\s+(\w+):\s*(.*)$")
_PRIMITIVES = {"str": "string", "bool": "boolean", "int": "integer", "float": "number"}
_MAPS = {"Mapping", "dict", "Dict", "MutableMapping"}
_LISTS = {"Sequence", "list", "List", "tuple", "Iterable"}
_WRAPPERS = {"Input", "Output"}  # pulumi.Input[T], pulumi.Output[T]: the value is a T
ANY = {"$ref": "pulumi.json#/Any"}


@dataclass(frozen=True)
class Prop:
    """One property: its Python name, schema type, whether it may be left out, and its text."""

    name: str
    spec: dict[str, Any]
    optional: bool
    description: str
    default: Any = None


@dataclass
class Shape:
    """A resource class, a function or a model, as its source describes it."""

    name: str
    description: str
    inputs: list[Prop] = field(default_factory=list)
    outputs: list[Prop] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)


@functools.cache
def module_tree(module: str) -> ast.Module:
    """The parsed source of `module` (found, not imported)."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise LookupError(f"cannot find the source of {module}")
    return ast.parse(Path(spec.origin).read_text(encoding="utf-8"))


def _constants(tree: ast.Module) -> dict[str, Any]:
    """Module-level `NAME = <literal>` assignments, to resolve defaults such as
    `auth_method=DEFAULT_AUTH_METHOD`."""
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node.value.value
    return found


def _class(tree: ast.Module, name: str) -> ast.ClassDef:
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise LookupError(f"no class {name}")


def _function(body: list[ast.stmt], name: str) -> ast.FunctionDef:
    for node in body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    raise LookupError(f"no function {name}")


def _docstring(node: ast.AST) -> str:
    text = ast.get_docstring(node, clean=True)  # type: ignore[arg-type]
    return text or ""


def split_params(docstring: str) -> tuple[str, dict[str, str]]:
    """A docstring as its text without `:param` lines, and each `:param name: text` (a text
    continues on the indented lines after it)."""
    text: list[str] = []
    params: dict[str, str] = {}
    current: str | None = None
    for line in docstring.splitlines():
        match = _PARAM.match(line.strip())
        if match:
            current = match[1]
            params[current] = match[2].strip()
        elif current is not None and line.startswith((" ", "\t")) and line.strip():
            params[current] = f"{params[current]} {line.strip()}".strip()
        else:
            current = None
            text.append(line)
    return "\n".join(text).strip(), params


def _attribute_docs(body: list[ast.stmt]) -> Iterator[tuple[ast.AnnAssign, str]]:
    """Each annotated name of a class body with the string literal right after it ("")."""
    for index, node in enumerate(body):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            after = body[index + 1] if index + 1 < len(body) else None
            doc = ""
            if (
                isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
            ):
                doc = inspect.cleandoc(after.value.value)
            yield node, doc


class TypeMapper:
    """Python annotations (as `ast` nodes) to Pulumi schema types. A name that is a model of
    `models.py` becomes a reference to the object type of that name, collected in `used`."""

    def __init__(self, package: str, models: set[str]) -> None:
        self.package = package
        self.models = models
        self.used: set[str] = set()

    def map(self, node: ast.expr | None) -> tuple[dict[str, Any], bool]:
        """The schema type of an annotation, and whether None is allowed."""
        members = list(_expand(node))
        optional = any(_is_none(m) for m in members)
        specs = [self._one(m) for m in members if not _is_none(m)]
        unique = [s for i, s in enumerate(specs) if s not in specs[:i]]
        if not unique:
            return dict(ANY), True
        if ANY in unique:
            return dict(ANY), optional
        if len(unique) == 1:
            return unique[0], optional
        return {"oneOf": unique}, optional

    def _one(self, node: ast.expr) -> dict[str, Any]:
        if isinstance(node, ast.Subscript):
            outer = _name(node.value)
            args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
            if outer in _MAPS:
                spec, _ = self.map(args[-1])
                return {"type": "object", "additionalProperties": spec}
            if outer in _LISTS:
                spec, _ = self.map(args[0])
                return {"type": "array", "items": spec}
            return dict(ANY)
        name = _name(node)
        if name in _PRIMITIVES:
            return {"type": _PRIMITIVES[name]}
        if name in self.models:
            self.used.add(name)
            return {"$ref": f"#/types/{self.package}:index:{name}"}
        return dict(ANY)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _union_members(node: ast.expr | None) -> Iterator[ast.expr]:
    if node is None:
        yield ast.Constant(value=None)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        yield from _union_members(node.left)
        yield from _union_members(node.right)
    elif isinstance(node, ast.Subscript) and _name(node.value) in ("Optional", "Union"):
        inner = node.slice
        elts = list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
        yield from elts
        if _name(node.value) == "Optional":
            yield ast.Constant(value=None)
    else:
        yield node


def _expand(node: ast.expr | None) -> Iterator[ast.expr]:
    """The members of a union, looking through `pulumi.Input[...]` and `pulumi.Output[...]`."""
    for member in _union_members(node):
        if isinstance(member, ast.Subscript) and _name(member.value) in _WRAPPERS:
            yield from _expand(member.slice)
        else:
            yield member


def _literal(node: ast.expr | None, constants: dict[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    return None


def _parameters(
    fn: ast.FunctionDef, skip: set[str], types: TypeMapper, constants: dict[str, Any]
) -> list[Prop]:
    _, texts = split_params(_docstring(fn))
    args = fn.args
    positional = [*args.posonlyargs, *args.args]
    pos_defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = [
        *zip(positional, [*pos_defaults, *args.defaults], strict=True),
        *zip(args.kwonlyargs, args.kw_defaults, strict=True),
    ]
    props: list[Prop] = []
    for arg, default in pairs:
        if arg.arg in skip:
            continue
        spec, optional = types.map(arg.annotation)
        props.append(
            Prop(
                name=arg.arg,
                spec=spec,
                optional=optional or default is not None,
                description=texts.get(arg.arg, ""),
                default=_literal(default, constants),
            )
        )
    return props


def _secrets(fn: ast.FunctionDef) -> set[str]:
    """The names an `__init__` marks secret: `additional_secret_outputs=[...]`, and the dict
    keys whose value goes through `pulumi.Output.secret(...)`."""
    found: set[str] = set()
    for node in ast.walk(fn):
        if (
            isinstance(node, ast.keyword)
            and node.arg == "additional_secret_outputs"
            and isinstance(node.value, ast.List | ast.Tuple)
        ):
            found.update(
                e.value
                for e in node.value.elts
                if isinstance(e, ast.Constant) and isinstance(e.value, str)
            )
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and any(
                    isinstance(n, ast.Call) and ast.unparse(n.func) == "pulumi.Output.secret"
                    for n in ast.walk(value)
                ):
                    found.add(str(key.value))
    return found


def resource_shape(module: str, class_name: str, types: TypeMapper) -> Shape:
    """A dynamic resource class as the schema describes it."""
    tree = module_tree(module)
    cls = _class(tree, class_name)
    init = _function(cls.body, "__init__")
    shape = Shape(class_name, _docstring(cls))
    shape.inputs = _parameters(init, {"self", "resource_name", "opts"}, types, _constants(tree))
    for node, doc in _attribute_docs(cls.body):
        if _name(getattr(node.annotation, "value", node.annotation)) != "Output":
            continue
        assert isinstance(node.target, ast.Name)
        spec, optional = types.map(node.annotation)
        shape.outputs.append(Prop(node.target.id, spec, optional, doc))
    shape.secrets = _secrets(init)
    return shape


def function_shape(module: str, function: str, types: TypeMapper) -> Shape:
    """A data source function: its arguments, and the fields and properties of its result."""
    tree = module_tree(module)
    fn = _function(tree.body, function)
    text, _ = split_params(_docstring(fn))
    shape = Shape(function, text)
    shape.inputs = _parameters(fn, set(), types, _constants(tree))
    result = _class(tree, _name(fn.returns) if fn.returns is not None else "")
    for node, doc in _attribute_docs(result.body):
        assert isinstance(node.target, ast.Name)
        spec, optional = types.map(node.annotation)
        shape.outputs.append(Prop(node.target.id, spec, optional, doc))
    for member in result.body:
        if isinstance(member, ast.FunctionDef) and any(
            _name(d) == "property" for d in member.decorator_list
        ):
            spec, optional = types.map(member.returns)
            shape.outputs.append(Prop(member.name, spec, optional, _docstring(member)))
    return shape


def model_names(module: str) -> set[str]:
    return {n.name for n in module_tree(module).body if isinstance(n, ast.ClassDef)}


def model_shape(module: str, name: str, types: TypeMapper) -> Shape:
    """A pydantic model's fields (its bases' first), as an object type."""
    tree = module_tree(module)
    cls = _class(tree, name)
    shape = Shape(name, _docstring(cls))
    local = model_names(module)
    for base in cls.bases:
        base_name = _name(base)
        if base_name in local:
            shape.outputs.extend(model_shape(module, base_name, types).outputs)
    for node, doc in _attribute_docs(cls.body):
        assert isinstance(node.target, ast.Name)
        spec, optional = types.map(node.annotation)
        shape.outputs.append(Prop(node.target.id, spec, optional, doc))
    return shape
