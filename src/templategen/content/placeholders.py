"""Jinja2 placeholders in content text ({{ naam }}, {{ onderwerp }}, …), filled per
recipient: one sandboxed environment and one context, the same for forms and workbooks."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from jinja2 import Template, meta, nodes
from jinja2 import TemplateError as JinjaError

from templategen.content.recipients import OPTIONAL_COLUMNS, Recipient
from templategen.content.sandbox import BoundedEnvironment, render
from templategen.errors import TemplateError
from templategen.i18n import _

if TYPE_CHECKING:
    from templategen.content.model import Instrument

JINJA = BoundedEnvironment(autoescape=False)


STANDARD = ("id", "naam", *OPTIONAL_COLUMNS)


def context_of(recipient: Recipient | None,
               fallbacks: Mapping[str, str] | None = None) -> dict[str, str]:
    """The placeholder values of a copy's texts: every column of its recipient.
    ``fallbacks`` (the instrument's ``placeholders``) stand in where the recipient has no
    value and in the unpersonalised copy ("Beste collega" instead of "Beste ").

    Answers prefilled for the respondent never take a fallback: see :func:`prefill_of`."""
    base = {c: "" for c in STANDARD} | dict(fallbacks or {})
    if recipient is None:
        return base
    return base | {k: v for k, v in recipient.context.items() if v or k not in base}


def prefill_of(recipient: Recipient | None) -> dict[str, str]:
    """The recipient's own values, for answers prefilled in a copy (none without one)."""
    return recipient.context if recipient is not None else {}


def placeholder_names(text: str) -> set[str]:
    """The names a text's placeholders read ({{ naam }}, {% if onderwerp %}); a text that
    is not valid Jinja2 reads none (content checks report it)."""
    if "{" not in text:
        return set()
    try:
        return set(meta.find_undeclared_variables(JINJA.parse(text)))
    except JinjaError:
        return set()


def fill(template: Template, context: dict[str, str]) -> str:
    """Render one compiled text within the sandbox's bounds; a placeholder that cannot be
    filled, or does too much work, is a TemplateError naming the text."""
    try:
        return render(template, context)
    except JinjaError as exc:
        raise TemplateError(_("a placeholder in the content cannot be filled ({value}): "
                              "{exc}.").format(value=_start(template), exc=exc)) from None
    except Exception as exc:  # ArithmeticError, ValueError, RecursionError from a template
        raise TemplateError(_("a placeholder in the content cannot be filled ({value}): "
                              "{name__}: {value2}.").format(
                                value=_start(template), name__=type(exc).__name__,
                                value2=str(exc)[:120])) from None


def _start(template: Template) -> str:
    source = " ".join(str(getattr(template, "tg_source", "")).split())
    return f"text '{source[:60]}{'…' if len(source) > 60 else ''}'"


def unguarded_names(text: str) -> set[str]:
    """The names a text prints without saying what to print without them: a bare
    ``{{ organisatie }}``, not ``{{ organisatie | default("uw school") }}``,
    ``{% if onderwerp %}…{{ onderwerp }}{% endif %}`` or ``{{ " voor " ~ x if x }}``."""
    if "{" not in text:
        return set()
    try:
        tree = JINJA.parse(text)
    except JinjaError:
        return set()
    found: set[str] = set()
    _unguarded(tree, frozenset(), found)
    return found & set(meta.find_undeclared_variables(tree))


def _unguarded(node: nodes.Node, guarded: frozenset[str], found: set[str]) -> None:
    if isinstance(node, nodes.Name):
        if node.ctx == "load" and node.name not in guarded:
            found.add(node.name)
        return
    if isinstance(node, nodes.If):
        tested = guarded | _names(node.test)
        for child in node.body:
            _unguarded(child, tested, found)
        for child in (*node.elif_, *node.else_):
            _unguarded(child, guarded, found)
        return
    if isinstance(node, nodes.CondExpr):
        _unguarded(node.expr1, guarded | _names(node.test), found)
        if node.expr2 is not None:
            _unguarded(node.expr2, guarded, found)
        return
    if isinstance(node, nodes.Or):
        _unguarded(node.right, guarded, found)  # 'x or "fallback"': x is tested
        return
    if isinstance(node, nodes.Filter) and node.name in ("default", "d"):
        for arg in node.args:
            _unguarded(arg, guarded, found)
        return
    if isinstance(node, nodes.Test):
        return  # 'x is defined' tests it
    for child in node.iter_child_nodes():
        _unguarded(child, guarded, found)


def _names(node: nodes.Node) -> frozenset[str]:
    inner = (n.name for n in node.find_all(nodes.Name))  # find_all: below the node only
    return frozenset([node.name] if isinstance(node, nodes.Name) else []).union(inner)


def content_texts(value: object,
                  skip: tuple[str, ...] = ("mail", "placeholders")) -> Iterator[str]:
    """Every text of a content object (an instrument and its sections, items, scales …)
    that holds a placeholder; ``skip`` leaves out the fields filled elsewhere (mail)."""
    if isinstance(value, str):
        if "{{" in value or "{%" in value:
            yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            if f.name not in skip:
                yield from content_texts(getattr(value, f.name), skip)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from content_texts(item, skip)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from content_texts(item, skip)


def unfilled(instrument: Instrument, columns: Iterable[str]) -> list[str]:
    """The placeholders ``instrument`` prints bare that neither a column of the recipients
    file nor the instrument's ``placeholders:`` fallbacks fill, sorted."""
    have = set(columns) | set(instrument.placeholders) | set(JINJA.globals)
    names: set[str] = set()
    for text in content_texts(instrument):
        names |= unguarded_names(text)
    return sorted(names - have)
