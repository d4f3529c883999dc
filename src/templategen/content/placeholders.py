"""Jinja2 placeholders in content text ({{ naam }}, {{ onderwerp }}, …), filled per
recipient: one sandboxed environment and one context, the same for forms and workbooks."""

from __future__ import annotations

from jinja2 import Template
from jinja2 import TemplateError as JinjaError
from jinja2.sandbox import SandboxedEnvironment

from templategen.content.recipients import OPTIONAL_COLUMNS, Recipient
from templategen.errors import TemplateError

JINJA = SandboxedEnvironment(autoescape=False)


def context_of(recipient: Recipient | None) -> dict[str, str]:
    """The placeholder values of a copy: every column of its recipient; for the
    unpersonalised copy the standard columns, all empty."""
    if recipient is None:
        return {c: "" for c in ("id", "naam", *OPTIONAL_COLUMNS)}
    return recipient.context


def fill(template: Template, context: dict[str, str]) -> str:
    """Render one compiled text; a placeholder that cannot be filled is a TemplateError."""
    try:
        return str(template.render(**context))
    except JinjaError as exc:
        raise TemplateError(f"a placeholder in the content cannot be filled: {exc}.") from None
