"""Checking primitives for content files: each problem is collected with file:line and a fix.

Jinja2, the placeholders and the sandbox are loaded where a text is checked, not with this
module: a catalog that comes from the model cache (every compare) needs none of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from templategen.content.languages import DEFAULT_LANGUAGE, Text, language_code
from templategen.content.model import ID_PATTERN, RESPONDENT, Scale
from templategen.content.schema import did_you_mean
from templategen.content.yamlsource import LineDict, LineList
from templategen.errors import Problem
from templategen.i18n import _

if TYPE_CHECKING:
    from templategen.content.sandbox import Failure

PLACEHOLDER_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Checks:
    """Reporting and value-checking primitives shared by the content builders."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []
        self.scales: dict[str, Scale] = {}
        self.ids: dict[str, int] = {}
        from templategen.content.placeholders import STANDARD

        # what a placeholder may name: the recipient columns, the instrument's declared ones
        self.placeholders: set[str] = set(STANDARD) | set(_jinja().globals)
        self._probes: list[tuple[str, int]] = []  # texts to render in a worker, with lines
        self.language = DEFAULT_LANGUAGE  # the language of plain texts (``language:``)

    # -- reporting ----------------------------------------------------------------------

    def err(self, line: int, what: str, fix: str = "") -> None:
        self.problems.append(Problem(f"{self.path}:{line}", what, fix))

    def keys(self, data: Any, spec: dict[str, set[str]], what: str, line: int) -> bool:
        """Check a mapping's keys against ``spec``; ``what`` it is names it (a message id,
        marked N_, said in the console's language)."""
        what = _(what)
        if not isinstance(data, LineDict):
            self.err(getattr(data, "line", line),
                     _("{what} must be a mapping of keys.").format(what=what),
                     _("write it as 'key: value' lines."))
            return False
        for key, dup_line in data.get("__duplicates__", []):
            self.err(dup_line,
                     _("key '{key}' appears twice in this {what}.").format(
                         key=key, what=what),
                     _("keep one of them."))
        allowed = spec["required"] | spec["optional"]
        for key in data:
            if key.startswith("__"):
                continue
            if key not in allowed:
                hint = did_you_mean(key, allowed,
                                         _("allowed keys: {value}.").format(
                                             value=', '.join(sorted(allowed))))
                self.err(data.line_of(key),
                         _("unknown key '{key}' in {what}.").format(key=key, what=what), hint)
        for key in sorted(spec["required"] - set(data)):
            self.err(data.line,
                     _("{what} lacks the required key '{key}'.").format(what=what, key=key),
                     _("add '{key}: …'.").format(key=key))
        return True

    def text(self, data: LineDict, key: str, default: str = "") -> str:
        """The text under ``key``: a plain string (the instrument's language) or a mapping
        of language codes to texts (a :class:`Text`)."""
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, dict):
            return self.translated(value, data.line_of(key), key) or default
        if isinstance(value, list):
            self.err(data.line_of(key),
                     _("'{key}' must be text.").format(key=key),
                     _("write a plain string, or one per language: {{nl: …, en: …}}."))
            return default
        raw = str(value)
        s = raw.strip()
        skipped = raw[:len(raw) - len(raw.lstrip())].count("\n")  # blank lines before it
        self.check_jinja(s, data.text_line(key) + skipped)
        return s

    def translated(self, value: dict[str, Any], line: int, what: str) -> Text | None:
        """A text written per language, ``{nl: …, en: …}``: the instrument's language is
        its default text, the others its translations."""
        texts: dict[str, str] = {}
        for raw_code, text in value.items():
            if str(raw_code).startswith("__"):
                continue
            at = value.line_of(raw_code) if isinstance(value, LineDict) else line
            code = language_code(raw_code)
            if code is None or isinstance(raw_code, bool):
                self.err(at,
                         _("'{key}' is not a language code in the texts of '{what}'.").format(
                             key=raw_code, what=what),
                         _("write one text per language: {{nl: …, nl-BE: …, en: …}}."))
                continue
            if isinstance(text, (dict, list)):
                self.err(at,
                         _("the {code} text of '{what}' must be text.").format(
                             code=code, what=what),
                         _("write a plain string."))
                continue
            s = "" if text is None else str(text).strip()
            self.check_jinja(s, at)
            texts[code] = s
        if not texts:
            return None
        if self.language not in texts:
            self.err(line,
                     _("the texts of '{what}' have none in the instrument's language "
                       "({code}).").format(what=what, code=self.language),
                     _("add '{code}: …' (plain texts are in the language named by "
                       "'language:').").format(code=self.language))
            return None
        default = texts.pop(self.language)
        return Text(default, texts)

    def plain_or_translated(self, value: Any, line: int, what: str) -> str:
        """A list entry (an option, a bullet) that is text or one text per language."""
        if isinstance(value, dict):
            return self.translated(value, line, what) or ""
        return "" if value is None else str(value).strip()

    def check_jinja(self, s: str, line: int) -> None:
        if "{{" not in s and "{%" not in s and "{#" not in s:
            return
        import jinja2

        from templategen.content.placeholders import placeholder_names

        try:
            _jinja().parse(s)
        except jinja2.TemplateSyntaxError as exc:
            self.err(line + (exc.lineno or 1) - 1,
                     _("bad Jinja2 placeholder: {message}.").format(message=exc.message),
                     _("write placeholders as {{ naam }}."))
            return
        for name in sorted(placeholder_names(s) - self.placeholders):
            known = sorted(self.placeholders - set(_jinja().globals))
            self.err(line,
                     _("the placeholder {{{{ {name} }}}} is filled by no recipient "
                       "column.").format(name=name),
                     did_you_mean(name, known,
                                        _("use one of {value}, or declare it under "
                                          "'placeholders:' with a text for copies "
                                          "without it.").format(value=', '.join(known))))
        self.check_work(s, line)

    def check_work(self, s: str, line: int) -> None:
        """Render the text once with sample values: one over the sandbox's bounds (a huge
        range, endless loops, a gigantic string) is a content error here, not a hang. A
        text that does more than print values is kept for :meth:`probe_work`."""
        from templategen.content.sandbox import failure_of, render

        template = _jinja().from_string(s)
        if getattr(template, "tg_guarded", True):
            self._probes.append((s, line))
            return
        try:
            render(template, self._sample())
        except Exception as exc:  # noqa: BLE001 - reported by kind below
            self._work_problem(line, failure_of(exc))

    def probe_work(self) -> None:
        """Render the texts :meth:`check_work` kept, in one worker with capped memory."""
        from templategen.content.sandbox import probe

        probes, self._probes = self._probes, []
        outcomes = probe(_jinja(), [s for s, _line in probes], self._sample())
        for (_text, line), failure in zip(probes, outcomes, strict=True):
            if failure is not None:
                self._work_problem(line, failure)

    def _sample(self) -> dict[str, str]:
        return {name: "voorbeeld" for name in self.placeholders - set(_jinja().globals)}

    def _work_problem(self, line: int, failure: Failure) -> None:
        from templategen.content.sandbox import MAX_ITEMS, MAX_OUTPUT

        at = line + (failure.line or 1) - 1
        if failure.kind == "overrun":
            self.err(at,
                     _("a placeholder does too much work: {message}.").format(
                         message=failure.message),
                     _("keep placeholders to values such as {{{{ naam }}}}; loops and "
                       "ranges of at most {MAX_ITEMS:,} items, texts of at most "
                       "{MAX_OUTPUT:,} characters.").format(
                         MAX_ITEMS=MAX_ITEMS, MAX_OUTPUT=MAX_OUTPUT))
        elif failure.kind == "compute":  # a bad sample value is not the author's fault
            self.err(at,
                     _("a placeholder cannot be computed ({message}).").format(
                         message=failure.message),
                     _("keep placeholders to values such as {{ naam }}."))

    def fallbacks(self, data: LineDict) -> dict[str, str]:
        """The instrument's ``placeholders``: name -> fallback text; they become known."""
        value = data.get("placeholders")
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.err(data.line_of("placeholders"),
                     _("'placeholders' must be a mapping."),
                     _("write e.g. 'placeholders: {naam: collega}'."))
            return {}
        out: dict[str, str] = {}
        for name, text in value.items():
            if str(name).startswith("__"):
                continue
            if not PLACEHOLDER_NAME.match(str(name)) or isinstance(text, (dict, list)):
                self.err(value.line_of(name) if isinstance(value, LineDict) else
                         data.line_of("placeholders"),
                         _("placeholder '{name}' needs a simple name and a text.").format(
                             name=name),
                         _("write e.g. 'naam: collega'."))
                continue
            out[str(name)] = "" if text is None else str(text)
        self.placeholders |= set(out)
        return out

    def new_id(self, data: LineDict, key: str = "id", scope: dict[str, int] | None = None) -> str:
        value = data.get(key)
        line = data.line_of(key)
        if value is None:
            return ""
        s = str(value)
        if not ID_PATTERN.match(s):
            self.err(line,
                     _("id '{s}' is not a valid id.").format(s=s),
                     _("use lowercase letters, digits and single underscores, starting "
                       "with a letter (e.g. 'sectie_1')."))
        if s == RESPONDENT:
            self.err(line,
                     _("id '{s}' is reserved for the respondent block.").format(s=s),
                     _("choose another."))
        scope = self.ids if scope is None else scope
        if s in scope:
            self.err(line,
                     _("duplicate id '{s}' (first used on line {value}).").format(
                         s=s, value=scope[s]),
                     _("ids must be unique within an instrument; rename one."))
        else:
            scope[s] = line
        return s

    def bool_(self, data: LineDict, key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.err(data.line_of(key),
                     _("'{key}' must be true or false.").format(key=key),
                     _("write true or false."))
            return False
        return value

    def number(self, data: LineDict, key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(data.line_of(key),
                     _("'{key}' must be a number.").format(key=key),
                     _("write e.g. 5."))
            return None
        return value

    def list_(self, data: LineDict, key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return LineList()
        if not isinstance(value, list):
            self.err(data.line_of(key),
                     _("'{key}' must be a list.").format(key=key),
                     _("write it as '- …' lines."))
            return LineList()
        return value


def _jinja() -> Any:
    """The placeholders' Jinja2 environment (content.placeholders), loaded when first used."""
    from templategen.content.placeholders import JINJA

    return JINJA
