"""How big a template's values may grow, checked as they grow: the sizes behind the sandbox.

A text that doubles a string forty times (``{% set s = s ~ s %}``, ``s + s``, ``'%s%s' %
(s, s)``, ``[s, s]|join``) reaches gigabytes in seconds, well within a time budget. So every
operation that can make a text or a list longer is checked *before* it runs, from the sizes
of what it is given: its result may not pass :data:`MAX_OUTPUT` characters (or items), and
everything one render builds together may not pass :data:`MAX_BUILT` (:func:`charge`, counted
per render in a context variable that ``content/sandbox.render`` sets).

:func:`weight` is how long a value would be as text, counted without making that text and
stopping as soon as it passes the limit: a list holding itself, or lists of lists sharing one
long string (cheap to make, a gigabyte to print), weigh what they would print.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from contextvars import ContextVar
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError
from jinja2.utils import Namespace

from templategen.i18n import N_, _

MAX_ITEMS = 10_000  # a range, a number argument of a call or filter
MAX_OUTPUT = 100_000  # characters one text may render to (and one value may hold)
MAX_BUILT = 1_000_000  # characters (or items) all values one render builds may hold together
MAX_BITS = 4096  # bits of a number computed by * or **

_PERCENT_WIDTH = re.compile(r"%[-#0 +]*(?:\*|\d{6,}|\d*\.(?:\*|\d{6,}))")
_BRACE_WIDTH = re.compile(r"\{[^{}]*:[^{}]*(?:\d{6,}|\{)[^{}]*\}")
_NUMBER = re.compile(r"\d+")

built: ContextVar[list[int] | None] = ContextVar("templategen_built", default=None)


class Overrun(SecurityError):
    """A content text went over one of the sandbox's bounds."""


def weight(value: Any, limit: int = MAX_OUTPUT) -> int:
    """How many characters ``value`` is as text, at most ``limit + 1``: counting stops there,
    so a value made of a billion references to one string costs no more than ``limit``."""
    if value.__class__ is str:
        return len(value)
    total, todo = 0, [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, bool | float | None.__class__):
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1
        elif isinstance(item, Undefined):  # prints as nothing (and fails on any attribute)
            pass
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)  # counted before its entries are looked at
            if total <= limit:
                todo.extend(item.keys())
                todo.extend(item.values())
        elif isinstance(item, Collection) and not isinstance(item, bytes | bytearray):
            total += 2 + 2 * len(item)
            if total <= limit:
                todo.extend(item)
        elif isinstance(item, Namespace):  # it prints its values
            total += 16
            todo.append(item._Namespace__attrs)  # type: ignore[attr-defined]
        else:  # an object: its repr is short
            total += 16
        if total > limit:
            return limit + 1
    return total


def charge(size: int) -> None:
    """Count ``size`` characters or items built by the render under way."""
    counter = built.get()
    if counter is not None:
        counter[0] += size
        if counter[0] > MAX_BUILT:
            raise Overrun(_("the text builds more than {most} characters in all").format(
                most=MAX_BUILT))


# What an operation is, as the render names it (English, cheap on its hot path), and said
# in the console's language only when it is refused.
_WHATS = ((re.compile(r"the filter '(?P<name>.*)'"), N_("the filter '{name}'")),
          (re.compile(r"the operator (?P<operator>.*)"), N_("the operator {operator}")))


def said(what: str) -> str:
    """``what`` (an operation as the render names it) in the console's language."""
    for pattern, message in _WHATS:
        found = pattern.fullmatch(what)
        if found:
            return _(message).format(**found.groupdict())
    return _(what)


def charge_result(what: str, result: Any) -> Any:
    """Check and count what an operation made (a text, a list); return it."""
    if isinstance(result, str | list | tuple | dict | set):
        if len(result) > MAX_OUTPUT:
            raise Overrun(_("{what} made {n} characters or items, more than {most}").format(
                what=said(what), n=len(result), most=MAX_OUTPUT))
        charge(len(result))
    return result


def refuse_over(what: str, size: int) -> None:
    if size > MAX_OUTPUT:
        raise Overrun(_("{what} would make {n} characters or more, more than {most}").format(
            what=said(what), n=size, most=MAX_OUTPUT))


def check_values(what: str, values: Collection[Any]) -> None:
    """Refuse a value given to an operation that is already over the size of a text."""
    for value in values:
        if weight(value) > MAX_OUTPUT:
            raise Overrun(_("{what} is given a value of more than {most} characters").format(
                what=said(what), most=MAX_OUTPUT))


def check_numbers(what: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ITEMS:
            raise Overrun(_("{what} with the number {value}, more than {most}").format(
                what=said(what), value=value, most=MAX_ITEMS))


def check_format(text: Any) -> None:
    if isinstance(text, str) and (_PERCENT_WIDTH.search(text) or _BRACE_WIDTH.search(text)):
        raise Overrun(_("a format with a width of 100,000 or more (or a width from an "
                        "argument)"))


def format_size(fmt: str, args: Any, reuse: bool) -> int:
    """At most how long ``fmt`` filled with ``args`` is: its own text, every number in it (a
    width or precision) and the arguments, each as often as it may be used."""
    numbers = 0
    for digits in _NUMBER.findall(fmt):
        if len(digits) > 6:
            return MAX_OUTPUT + 1
        numbers += int(digits)
    if isinstance(args, Mapping):
        weights = [weight(v) for v in args.values()]
        reuse = True
    elif isinstance(args, tuple | list):
        weights = [weight(v) for v in args]
    else:
        weights = [weight(args)]
    used = (fmt.count("%") + fmt.count("{") + 1) * max(weights, default=0) if reuse \
        else sum(weights)
    return len(fmt) + numbers + used


def check_binop(op: str, left: Any, right: Any) -> None:
    """``+``, ``*``, ``**`` and ``%`` refused before they run when the result would be over."""
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                refuse_over(N_("a text or list repeated"), weight(seq) * max(times, 0))
        if isinstance(left, int) and isinstance(right, int) and \
                left.bit_length() + right.bit_length() > MAX_BITS:
            raise Overrun(_("a product of more than {bits} bits").format(bits=MAX_BITS))
    elif op == "+":
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            refuse_over(N_("a text or list joined with +"), weight(left) + weight(right))
    elif op == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and \
            max(left.bit_length(), 1) * right > MAX_BITS:
        raise Overrun(_("a power of more than {bits} bits").format(bits=MAX_BITS))
    elif op == "%" and isinstance(left, str):
        check_format(left)
        refuse_over(N_("a text formatted with the percent operator"),
                    format_size(left, right, reuse=False))


def check_concat(values: tuple[Any, ...]) -> None:
    """``a ~ b ~ …``: refused before the text is made when it would be over."""
    total = 0
    for value in values:
        total += weight(value)
        refuse_over(N_("a text joined with ~"), total)
    charge(total)


def bounded_join(chunks: Any) -> str:
    """``"".join`` of a render's pieces (a macro's or block's output, or the whole text),
    stopping once they pass MAX_OUTPUT characters."""
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise Overrun(_("the text renders to more than {most} characters").format(
                most=MAX_OUTPUT))
        out.append(chunk)
    return "".join(out)


def finalize(value: Any) -> Any:
    """What ``{{ value }}`` prints, checked before it is made into text."""
    if (len(value) if value.__class__ is str else weight(value)) > MAX_OUTPUT:
        raise Overrun(_("a value of more than {most} characters is printed").format(
            most=MAX_OUTPUT))
    return value


# --- what a call may grow to: filters and str methods that make a text longer -------------


def _indent(s: Any, width: Any = 4, *_: Any, **__: Any) -> int:
    step = len(width) if isinstance(width, str) else int(width)
    return len(str(s)) + (str(s).count("\n") + 1) * step


def _wordwrap(s: Any, width: Any = 79, break_long_words: Any = True, wrapstring: Any = None,
              *_: Any, **__: Any) -> int:
    text = str(s)
    lines = len(text) // max(int(width), 1) + len(text.split()) + 1
    return len(text) + lines * len(str(wrapstring or "\n"))


def _join(value: Any, d: Any = "", *_: Any, **__: Any) -> int:
    if not isinstance(value, Collection):
        return 0
    return weight(value) + len(str(d)) * len(value)


def _replace(s: Any, old: Any = "", new: Any = "", *_: Any, **__: Any) -> int:
    text, old, new = str(s), str(old), str(new)
    if not old:
        return len(text) * (len(new) + 1) + len(new)
    return len(text) + text.count(old) * max(0, len(new) - len(old))


def _format(fmt: Any, *args: Any, **kwargs: Any) -> int:
    check_format(fmt)
    return format_size(str(fmt), kwargs or args, reuse=bool(kwargs))


def _urlize(s: Any, *args: Any, **kwargs: Any) -> int:
    extra = sum(len(str(a)) for a in (*args, *kwargs.values()) if isinstance(a, str))
    return 3 * len(str(s)) + len(str(s).split()) * (64 + extra)


def _json(value: Any, indent: Any = None, *_: Any, **__: Any) -> int:
    step = int(indent) if isinstance(indent, int) else len(str(indent or ""))
    return weight(value) * (1 + step)


FILTER_GROWTH: dict[str, Callable[..., int]] = {
    "indent": _indent, "wordwrap": _wordwrap, "join": _join, "replace": _replace,
    "format": _format, "urlize": _urlize, "tojson": _json,
}


def _expandtabs(s: str, tabsize: Any = 8, *_: Any, **__: Any) -> int:
    return len(s) + s.count("\t") * int(tabsize)


def _str_join(s: str, iterable: Any = (), *_: Any, **__: Any) -> int:
    return _join(iterable, s)


def _str_format(s: str, *args: Any, **kwargs: Any) -> int:
    check_format(s)
    return format_size(s, [*args, *kwargs.values()], reuse=True)


def _str_format_map(s: str, mapping: Any = None, *_: Any, **__: Any) -> int:
    check_format(s)
    return format_size(s, mapping if isinstance(mapping, Mapping) else {}, reuse=True)


STR_GROWTH: dict[str, Callable[..., int]] = {
    "replace": _replace, "expandtabs": _expandtabs, "join": _str_join,
    "format": _str_format, "format_map": _str_format_map,
}
