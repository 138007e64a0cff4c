"""Every input and output of each resource class is documented where editors show it.

Inputs: a `:param name:` line in the constructor's docstring. Outputs: an attribute docstring
(a string right after the `name: pulumi.Output[...]` annotation in the class body). These
texts are the one source of the descriptions: the provider plugin's schema reuses them.
"""

from __future__ import annotations

import ast
import inspect
import re
from types import ModuleType

import pytest

from pulumi_fruxon import authorization_url, credential_link, integration_auth, integration_config

RESOURCES = [
    (authorization_url, "AuthorizationUrl"),
    (credential_link, "CredentialLink"),
    (integration_auth, "IntegrationAuth"),
    (integration_config, "IntegrationConfig"),
]
PARAM = re.compile(r"^:param (\w+): (.+)", re.MULTILINE)


def class_node(module: ModuleType, name: str) -> ast.ClassDef:
    tree = ast.parse(inspect.getsource(module))
    (found,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name]
    return found


def output_docs(node: ast.ClassDef) -> dict[str, str | None]:
    """Each `pulumi.Output` annotation in the class body, with the string right after it."""
    docs: dict[str, str | None] = {}
    body = node.body
    for i, statement in enumerate(body):
        if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            if "Output" not in ast.unparse(statement.annotation):
                continue
            following = body[i + 1] if i + 1 < len(body) else None
            is_doc = (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            )
            docs[statement.target.id] = following.value.value if is_doc else None  # type: ignore[union-attr]
    return docs


@pytest.mark.parametrize(("module", "name"), RESOURCES, ids=[n for _, n in RESOURCES])
def test_every_input_has_a_param_line(module: ModuleType, name: str) -> None:
    cls = getattr(module, name)
    doc = inspect.cleandoc(cls.__init__.__doc__ or "")
    # Continuation lines are indented under their `:param`; join them.
    documented = dict(PARAM.findall(re.sub(r"\n +", " ", doc)))
    inputs = [
        p for p in inspect.signature(cls.__init__).parameters if p not in ("self", "resource_name")
    ]
    assert [p for p in inputs if p not in documented] == []
    assert [p for p in documented if p not in inputs and p != "resource_name"] == []


@pytest.mark.parametrize(("module", "name"), RESOURCES, ids=[n for _, n in RESOURCES])
def test_every_output_has_a_docstring(module: ModuleType, name: str) -> None:
    docs = output_docs(class_node(module, name))
    assert docs, "no outputs found"
    assert [output for output, text in docs.items() if not text] == []
    # The outputs documented are the ones the provider returns.
    assert set(docs) == set(module.OUTPUTS) | ({"url"} if name == "AuthorizationUrl" else set())


def test_a_missing_text_is_found() -> None:
    """The checks above can fail: a class with an undocumented output and input."""
    source = '''
class Thing:
    a: pulumi.Output[str]
    """Documented."""
    b: pulumi.Output[str]
'''
    node = ast.parse(source).body[0]
    assert isinstance(node, ast.ClassDef)
    assert output_docs(node) == {"a": "Documented.", "b": None}
