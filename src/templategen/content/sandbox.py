"""The Jinja2 sandbox for content texts and mail templates, bounded in work and memory as
well as in attribute access.

Jinja's :class:`SandboxedEnvironment` stops a template from reaching Python internals, not
from working forever or filling memory: ``range(10**9)``, nested loops, ``"x" * 10**9`` or
forty doublings of a string (``{% set s = s ~ s %}``) hang a build or take gigabytes in
seconds. :class:`BoundedEnvironment` bounds, per render:

* sizes, checked *before* the work (content/growth.py): ``range`` at most ``MAX_ITEMS``
  items and no call or filter with a number argument above it; every ``~``, ``+``, ``*``,
  ``%``, ``join``, ``format``, string-growing filter (``indent``, ``replace``, ``wordwrap``,
  ``center``, …) and method (``str.format``, ``str.join``, ``expandtabs``) whose result would
  pass ``MAX_OUTPUT`` characters is refused, and so is everything one render builds past
  ``MAX_BUILT``; ``**`` and ``*`` of numbers at most ``MAX_BITS`` bits;
* the output: a macro's or block's text and the whole text stop at ``MAX_OUTPUT``;
* the time: a text with loops, calls, macros or growing operations is rendered under a
  budget of ``RENDER_SECONDS`` (a trace function checks the clock on every line of the
  compiled template, so an empty loop stops too); plain ``{{ naam }}`` texts are not traced;
* memory, as a second wall: :func:`probe` renders texts in a worker process whose address
  space is capped at ``RENDER_MEMORY`` (templategen/capped.py, as ingest's readers). Content
  checks probe every such text of a content file with sample values, in one worker, and a
  mail template is probed with its first recipient's values before the letters are written
  in this process (a worker per letter would cost more than the letter).

Going over a bound raises :class:`Overrun` (a Jinja ``SecurityError``); :func:`render`
lets it, and any other failure of a render, propagate; :func:`template_line` finds the line
of the text it happened on. Content checks report it as a content error with file and line
at ``validate`` and ``build`` (see ``content/checks.py``); ``mail`` names the template.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from types import FrameType, TracebackType
from typing import Any

from jinja2 import Template, nodes
from jinja2.compiler import CodeGenerator, Frame, optimizeconst
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import generate_lorem_ipsum

from templategen.capped import Died, run_capped
from templategen.content import growth
from templategen.content.growth import (
    FILTER_GROWTH,
    MAX_BITS,
    MAX_BUILT,
    MAX_ITEMS,
    MAX_OUTPUT,
    STR_GROWTH,
    Overrun,
    bounded_join,
    charge,
    charge_result,
    check_binop,
    check_concat,
    check_numbers,
    check_values,
    refuse_over,
)
from templategen.i18n import N_, _

__all__ = ["MAX_BITS", "MAX_BUILT", "MAX_ITEMS", "MAX_OUTPUT", "BoundedEnvironment", "Failure",
           "Overrun", "failure_of", "probe", "render", "template_line"]

MAX_LIPSUM = 20  # paragraphs of lipsum()
RENDER_SECONDS = 2.0
RENDER_MEMORY = 256 * 1024 * 1024  # bytes a probing worker may add to what it starts with

# nodes that can make a text work for long or grow: it is traced and probed
_GUARDED = (nodes.For, nodes.Call, nodes.Macro, nodes.CallBlock, nodes.FilterBlock,
            nodes.Mul, nodes.Pow, nodes.Mod, nodes.Filter, nodes.Concat, nodes.Add,
            nodes.Assign, nodes.AssignBlock)
_A_CALL = N_("a call")  # what a refused call is (said in the console's language)
_CHEAP_FILTERS = frozenset({"default", "d", "upper", "lower", "title", "capitalize", "trim",
                            "e", "escape", "string", "length", "count", "first", "last"})
_MUTABLE = (list, dict, set)


def _bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_ITEMS:
        raise Overrun(_("range() of {n} numbers, more than {most}").format(
            n=len(numbers), most=MAX_ITEMS))
    charge(len(numbers))
    return numbers


def _bounded_lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if n > MAX_LIPSUM or max > 1000 or min > max:
        raise Overrun(_("lipsum() of {n} paragraphs of up to {max} words, more than "
                        "{most} of 1000").format(n=n, max=max, most=MAX_LIPSUM))
    return str(charge_result("lipsum()", generate_lorem_ipsum(n=n, html=html, min=min,
                                                               max=max)))


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """The filter with its arguments and its result checked, and what it would grow to
    refused before it runs (growth.FILTER_GROWTH)."""
    passes = getattr(function, "jinja_pass_arg", None) is not None  # a context comes first
    grows = FILTER_GROWTH.get(name)
    what = f"the filter '{name}'"

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = args[1:] if passes else args
        check_numbers(what, values[1:], kwargs)
        check_values(what, (*values, *kwargs.values()))
        if grows is not None and values:
            refuse_over(what, grows(*values, **kwargs))
        return charge_result(what, function(*args, **kwargs))
    return bounded


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with ``~`` going through the environment's check."""

    @optimizeconst
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.bounded_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class BoundedEnvironment(SandboxedEnvironment):
    """The sandbox with bounds on work and size (see the module docstring)."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})
    code_generator_class = _BoundedCodeGenerator
    concat = staticmethod(bounded_join)  # type: ignore[assignment]

    def __init__(self, **options: Any):
        options.setdefault("finalize", growth.finalize)
        super().__init__(**options)
        self.globals["range"] = _bounded_range
        self.globals["lipsum"] = _bounded_lipsum
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    def bounded_concat(self, join: Callable[[Any], str], values: tuple[Any, ...]) -> str:
        check_concat(values)
        return join(values)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return charge_result(f"the operator {operator}",
                             super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        check_numbers(_A_CALL, args, kwargs)
        check_values(_A_CALL, (*args, *kwargs.values()))
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        name = getattr(method, "__name__", "")
        if isinstance(owner, str) and name in STR_GROWTH:
            refuse_over(f"str.{name}()", STR_GROWTH[name](owner, *args, **kwargs))
        result = super().call(__context, __obj, *args, **kwargs)
        if isinstance(owner, _MUTABLE):  # append, extend, update: the value it grew
            if len(owner) > MAX_OUTPUT:
                raise Overrun(_("a list or mapping grown past {most} items").format(
                    most=MAX_OUTPUT))
            charge(len(args) + len(kwargs))
        return charge_result(_A_CALL, result)

    def from_string(self, source: Any, globals: Any = None,  # noqa: A002
                    template_class: Any = None) -> Template:
        template = super().from_string(source, globals, template_class)
        if isinstance(source, str):
            template.tg_source = source  # type: ignore[attr-defined]
            template.tg_guarded = guarded(self, source)  # type: ignore[attr-defined]
        return template


def guarded(environment: BoundedEnvironment, source: str) -> bool:
    """Whether a text does more than print values: it is traced, and probed in a worker."""
    return any(not (isinstance(node, nodes.Filter) and node.name in _CHEAP_FILTERS)
               for node in environment.parse(source).find_all(_GUARDED))


def render(template: Template, context: dict[str, Any]) -> str:
    """Render within the bounds; Overrun (or the template's own error) propagates."""
    token = growth.built.set([0])
    try:
        if not getattr(template, "tg_guarded", True):
            return bounded_join(template.generate(**context))
        return _traced(template, context)
    finally:
        growth.built.reset(token)


def _traced(template: Template, context: dict[str, Any]) -> str:
    deadline = time.monotonic() + RENDER_SECONDS
    previous = sys.gettrace()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise Overrun(_("rendering took longer than {seconds} seconds").format(
                seconds=f"{RENDER_SECONDS:g}"))
        return tracer

    sys.settrace(tracer)
    try:
        return bounded_join(template.generate(**context))
    finally:
        sys.settrace(previous)


def template_line(exc: BaseException) -> int:
    """The line of the text (1 for its first) that a render's exception came from."""
    line = 1
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@dataclass(frozen=True)
class Failure:
    """Why a text could not be rendered: ``overrun`` (a bound), ``compute`` (an arithmetic
    error, a recursion) or ``other`` (such as an undefined value); on which line of it
    (None when the worker died and the line is not known)."""

    kind: str
    message: str
    line: int | None = None


def failure_of(exc: BaseException) -> Failure:
    line = template_line(exc)
    if isinstance(exc, Overrun):
        return Failure("overrun", str(exc), line)
    if isinstance(exc, MemoryError):
        return Failure("overrun", _("it needs more than {mb} MB of memory").format(
            mb=RENDER_MEMORY // 2**20), line)
    if isinstance(exc, ArithmeticError | RecursionError):
        return Failure("compute", f"{type(exc).__name__}: {str(exc)[:80]}", line)
    return Failure("other", f"{type(exc).__name__}: {str(exc)[:120]}", line)


def probe(environment: BoundedEnvironment, sources: list[str],
          context: dict[str, Any]) -> list[Failure | None]:
    """Render each text with ``context`` in one worker with capped memory; per text, None
    or why it failed. A text that kills the worker (memory, time) is an overrun."""
    def attempt(source: str) -> Failure | None:
        try:
            render(environment.from_string(source), context)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported as one
            return failure_of(exc)
        return None

    outcomes = run_capped(attempt, sources, RENDER_MEMORY, RENDER_SECONDS + 5)
    return [_died(o) if isinstance(o, Died) else o for o in outcomes]


def _died(died: Died) -> Failure:
    if died.reason == "time":
        return Failure("overrun", _("rendering took longer than {seconds} seconds").format(
            seconds=f"{RENDER_SECONDS:g}"))
    return Failure("overrun", _("it needs more than {mb} MB of memory").format(
        mb=RENDER_MEMORY // 2**20))
