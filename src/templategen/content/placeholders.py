"""Jinja2 placeholders in content text ({{ naam }}, {{ onderwerp }}, …), filled per
recipient: one sandboxed environment and one context, the same for forms and workbooks."""

from __future__ import annotations

from collections.abc import Mapping

from jinja2 import Template, meta
from jinja2 import TemplateError as JinjaError

from templategen.content.recipients import OPTIONAL_COLUMNS, Recipient
from templategen.content.sandbox import BoundedEnvironment, render
from templategen.errors import TemplateError

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
        raise TemplateError(f"a placeholder in the content cannot be filled ({_start(template)}"
                            f"): {exc}.") from None
    except Exception as exc:  # ArithmeticError, ValueError, RecursionError from a template
        raise TemplateError(f"a placeholder in the content cannot be filled ({_start(template)}"
                            f"): {type(exc).__name__}: {str(exc)[:120]}.") from None


def _start(template: Template) -> str:
    source = " ".join(str(getattr(template, "tg_source", "")).split())
    return f"text '{source[:60]}{'…' if len(source) > 60 else ''}'"
