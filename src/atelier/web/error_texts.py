"""The studio's own error messages, for the catalogue: a Babel extraction method (see
babel.cfg) that gives what Python's extraction gives (`_()`, `gettext`, `lazy`…) and,
besides, the message of every StudioError a module raises (`Invalid("title must be at
most 200 characters")`, `NotFound("no work %(work_id)s", params=…)`), so a page shows
a service's refusal in its reader's language (i18n.shown) without the service, which
knows nothing of the web, marking it. A message built at run time (an f-string) is not
found here: give it as a constant with %(name)s places and `params`."""

from __future__ import annotations

import ast
import io
from collections.abc import Iterator
from typing import IO, Any, cast

from babel.messages.extract import extract_python

from atelier import errors

# The classes whose first argument (or `detail=`) is a message: StudioError and every
# kind of it (errors.py), and the payment provider's (commerce/payments.py); an account
# check's (accounts/service.py) is its second, after the field.
FIRST = {"StudioError", "PaymentError"} | {
    name
    for name, value in vars(errors).items()
    if isinstance(value, type) and issubclass(value, errors.StudioError)
}
RAISED = {name: 0 for name in FIRST} | {"AccountError": 1}


def messages(node: ast.expr, named: dict[str, str]) -> Iterator[str]:
    """The constant messages an argument may be: a string, a module's constant given by
    name (`named`), or either side of `a if c else b`."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.Name) and node.id in named:
        yield named[node.id]
    elif isinstance(node, ast.IfExp):
        yield from messages(node.body, named)
        yield from messages(node.orelse, named)


def raised(source: str) -> Iterator[tuple[int, str]]:
    """Each error message a module's source constructs, with its line."""
    tree = ast.parse(source)
    named = {
        target.id: statement.value.value
        for statement in tree.body
        if isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in RAISED:
            continue
        place = RAISED[name]
        given = node.args[place : place + 1]
        given += [k.value for k in node.keywords if k.arg in ("detail", "message")]
        for argument in given:
            for message in messages(argument, named):
                yield node.lineno, message


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[Any, ...]]:
    """Babel's extraction interface: Python's own extraction, then the raised messages."""
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, cast(Any, options))
    for line, message in raised(source.decode(options.get("encoding", "utf-8"))):
        yield line, "gettext", message, []
