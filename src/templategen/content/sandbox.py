"""The Jinja2 sandbox for content texts, bounded in work as well as in attribute access.

Jinja's :class:`SandboxedEnvironment` stops a template from reaching Python internals, not
from working forever: ``range(10**9)``, ``lipsum(10**6)``, nested loops or ``"x" * 10**9``
hang a build or exhaust its memory. :class:`BoundedEnvironment` adds, per render:

* sizes checked *before* the work: ``range`` at most ``MAX_ITEMS`` items, ``lipsum`` at
  most ``MAX_LIPSUM`` paragraphs, no call or filter with a number argument above
  ``MAX_ITEMS``, ``*`` / ``**`` / ``%`` / ``replace`` / ``format`` whose result would exceed
  ``MAX_OUTPUT`` characters (or ``MAX_BITS`` bits for a number) refused;
* the output: rendering stops once it passes ``MAX_OUTPUT`` characters;
* the time: a text with loops, calls or macros is rendered under a budget of
  ``RENDER_SECONDS`` (a trace function checks the clock on every line of the compiled
  template, so an empty loop stops too); plain ``{{ naam }}`` texts are not traced.

Going over a bound raises :class:`Overrun` (a Jinja ``SecurityError``); :func:`render`
turns it, and any other failure of a render, into one message. Content checks render
every text once with sample values, so a text over a bound is a content error with file
and line at ``validate`` and ``build`` (see ``content/checks.py``).
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterator
from functools import wraps
from types import FrameType
from typing import Any

from jinja2 import Template, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

MAX_ITEMS = 10_000  # a range, a number argument of a call or filter
MAX_OUTPUT = 100_000  # characters one text may render to (and one string value may hold)
MAX_BITS = 4096  # bits of a number computed by * or **
MAX_LIPSUM = 20  # paragraphs of lipsum()
RENDER_SECONDS = 2.0

# nodes that can make a text work for long: it is rendered under the time budget
_GUARDED = (nodes.For, nodes.Call, nodes.Macro, nodes.CallBlock, nodes.FilterBlock,
            nodes.Mul, nodes.Pow, nodes.Mod, nodes.Filter)
_CHEAP_FILTERS = frozenset({"default", "d", "upper", "lower", "title", "capitalize", "trim",
                            "e", "escape", "string", "length", "count", "first", "last"})
_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{6,}|\d*\.(?:\*|\d{6,}))")
_BRACE_WIDTH = re.compile(r"\{[^{}]*:[^{}]*(?:\d{6,}|\{)[^{}]*\}")


class Overrun(SecurityError):
    """A content text went over one of the sandbox's bounds."""


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_ITEMS:
        raise Overrun(f"range() of {len(numbers)} numbers, more than {MAX_ITEMS}")
    return numbers


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if n > MAX_LIPSUM or max > 1000 or min > max:
        raise Overrun(f"lipsum() of {n} paragraphs of up to {max} words, more than "
                      f"{MAX_LIPSUM} of 1000")
    return str(generate_lorem_ipsum(n=n, html=html, min=min, max=max))


def _check_numbers(what: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ITEMS:
            raise Overrun(f"{what} with the number {value}, more than {MAX_ITEMS}")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and (_PERCENT_WIDTH.search(text) or _BRACE_WIDTH.search(text)):
        raise Overrun("a format with a width of 100,000 or more (or a width from an argument)")


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple) else None


def _check_binop(op: str, left: Any, right: Any) -> None:
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if _size(seq) is not None and isinstance(times, int) and \
                    _size(seq) * times > MAX_OUTPUT:  # type: ignore[operator]
                raise Overrun(f"a text or list repeated to {_size(seq) * times} items, more "  # type: ignore[operator]
                              f"than {MAX_OUTPUT}")
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_BITS:
            raise Overrun(f"a product of more than {MAX_BITS} bits")
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and \
            max(left.bit_length(), 1) * right > MAX_BITS:
        raise Overrun(f"a power of more than {MAX_BITS} bits")
    elif op == "%":
        _check_format(left)


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_numbers(f"the filter '{name}'", args[1:], kwargs)
        if name == "format" and args:
            _check_format(args[0])
        if name == "replace":
            _check_replace(args, kwargs)
        return function(*args, **kwargs)
    return bounded


def _check_replace(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    strings = [a for a in args if isinstance(a, str)]
    if len(strings) >= 3:
        text, old, new = strings[-3:]
        grown = len(text) + text.count(old) * max(0, len(new) - len(old)) if old else \
            len(text) * (len(new) + 1)
        if grown > MAX_OUTPUT:
            raise Overrun(f"replace() growing a text to {grown} characters, more than "
                          f"{MAX_OUTPUT}")


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox with bounds on work (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals["lipsum"] = _bounded_lipsum
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _check_numbers("a call", args, kwargs)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in ("format", "format_map"):
            _check_format(owner)
        return super().call(__context, __obj, *args, **kwargs)

    def from_string(self, source: Any, globals: Any = None,  # noqa: A002
                    template_class: Any = None) -> Template:
        template = super().from_string(source, globals, template_class)
        if isinstance(source, str):
            template.tg_source = source  # type: ignore[attr-defined]
            template.tg_guarded = any(  # type: ignore[attr-defined]
                not (isinstance(node, nodes.Filter) and node.name in _CHEAP_FILTERS)
                for node in self.parse(source).find_all(_GUARDED))
        return template


def render(template: Template, context: dict[str, Any]) -> str:
    """Render within the bounds; Overrun (or the template's own error) propagates."""
    if not getattr(template, "tg_guarded", True):
        return _collect(template.generate(**context))
    deadline = time.monotonic() + RENDER_SECONDS
    previous = sys.gettrace()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise Overrun(f"rendering took longer than {RENDER_SECONDS:g} seconds")
        return tracer

    sys.settrace(tracer)
    try:
        return _collect(template.generate(**context))
    finally:
        sys.settrace(previous)


def _collect(chunks: Iterator[str]) -> str:
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise Overrun(f"the text renders to more than {MAX_OUTPUT} characters")
        out.append(chunk)
    return "".join(out)
