"""The report's charts, drawn from its figures with matplotlib (Agg) as PNG bytes.

Three pictures: the subject's place among the subjects on the main rule (its own bar in
the house blue, the others grey and unnamed: a report goes to its subject, not to the
others), its scores beside the group's mean and range (scores on a common scale: means of
one scale, or shares of a maximum), and a stakeholder matrix (the subject's stakeholders at
their mean x and y, the quadrant borders at the split). Colours follow the house style's
reference document (headings 1F4E79).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
from matplotlib import pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from templategen.i18n import document, document_language  # noqa: E402

HOUSE = "#1F4E79"
LIGHT = "#9DC3E6"
OTHER = "#BFBFBF"
MEAN = "#C00000"
WIDTH_IN = 6.3  # the text width of an A4 page with the reference document's margins
DPI = 150
LABEL_WIDTH = 38  # characters per line of an axis label
MANY = 30  # subjects in a ranking chart before it stops growing

plt.rcParams.update({"font.family": ["Liberation Sans", "DejaVu Sans"], "font.size": 8,
                     "axes.spines.top": False, "axes.spines.right": False})


def number(value: float, decimals: int = 2) -> str:
    """A figure as the report writes it (a decimal comma in Dutch)."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if document_language() == "nl" else text


def _png(fig: Figure) -> bytes:
    """The figure as PNG, its axes' numbers written as the report writes them."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_major_formatter().__class__.__name__ == "ScalarFormatter":
                axis.set_major_formatter(FuncFormatter(_tick))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _tick(value: float, _position: int) -> str:
    text = f"{value:g}"
    return text.replace(".", ",") if document_language() == "nl" else text


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, LABEL_WIDTH)[:3]) or " "


def ranking(subject: str, means: Sequence[tuple[str, float]], label: str,
            percent: bool = False) -> bytes:
    """Every subject's mean on the main rule, best first; only ``subject`` is named. Past
    MANY subjects the chart keeps its height and only the subject's bar has its figure."""
    names = [s for s, _ in means]
    values = [m * 100 if percent else m for _, m in means]
    many = len(values) > MANY
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.8 + 0.28 * min(len(values), MANY)))
    positions = list(range(len(values)))[::-1]
    colours = [HOUSE if s == subject else OTHER for s in names]
    ax.barh(positions, values, color=colours, height=0.7)
    ax.set_yticks(positions, [_wrapped(s) if s == subject else "" for s in names])
    for y, value, name in zip(positions, values, names, strict=True):
        if name == subject or not many:
            ax.text(value, y, " " + number(value), va="center",
                    fontweight="bold" if name == subject else "normal")
    group = sum(values) / len(values)
    ax.axvline(group, color=MEAN, linestyle="--", linewidth=1)
    ax.text(group, len(values) - 0.25, " " + document("mean of the subjects") + " "
            + number(group), color=MEAN, va="bottom")
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(_wrapped(label + (" (%)" if percent else "")))
    ax.set_xlim(min([0.0, *values]) * 1.25, max([0.0, *values]) * 1.25 or 1)
    ax.set_ylim(-0.6, len(values) + 0.3)
    return _png(fig)


def scores(rows: Sequence[tuple[str, float | None, float | None, float | None, float | None]],
           axis: str, high: float | None = None, decimals: int = 2) -> bytes:
    """The subject's scores (bars) beside the group's mean (a red mark) and lowest–highest
    (a line): ``rows`` of (label, subject, group mean, group low, group high)."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 0.9 + 0.42 * len(rows)))
    positions = list(range(len(rows)))[::-1]
    for y, (_, mine, mean, low, high_) in zip(positions, rows, strict=True):
        if mine is not None:
            ax.barh(y, mine, color=HOUSE, height=0.55)
            ax.text(mine, y + 0.05, " " + number(mine, decimals), va="bottom", fontsize=7)
        if low is not None and high_ is not None:
            ax.plot([low, high_], [y - 0.38, y - 0.38], color="#595959", linewidth=1.2)
        if mean is not None:
            ax.plot([mean], [y - 0.38], marker="D", color=MEAN, markersize=5)
    ax.set_yticks(positions, [_wrapped(label) for label, *_ in rows])
    ax.set_xlabel(axis)
    if high is not None:
        ax.set_xlim(0, high)
    handles = [plt.Rectangle((0, 0), 1, 1, color=HOUSE),
               plt.Line2D([], [], marker="D", color=MEAN, linestyle=""),
               plt.Line2D([], [], color="#595959")]
    ax.legend(handles, [document("this subject"), document("mean of all respondents"),
                        document("lowest to highest of all respondents")],
              loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / (len(rows) + 1)),
              ncol=3, frameon=False)
    return _png(fig)


def matrix(points: Sequence[tuple[str, float, float]], x_label: str, y_label: str,
           split: float, low: float, high: float,
           corners: Sequence[tuple[bool, bool, str]] = ()) -> bytes:
    """Stakeholders at their mean x and y, filled and named (names at one point joined),
    with the quadrant borders and each quadrant's name in its outer corner (``corners``: x high,
    y high, name)."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN * 0.75, WIDTH_IN * 0.6))
    ax.axvline(split, color=OTHER, linewidth=1)
    ax.axhline(split, color=OTHER, linewidth=1)
    at: dict[tuple[float, float], list[str]] = {}
    for name, x, y in points:
        at.setdefault((x, y), []).append(textwrap.shorten(name, 24))
    for k, ((x, y), names) in enumerate(sorted(at.items())):
        ax.scatter([x], [y], s=36, color=HOUSE, zorder=3)
        ax.annotate("\n".join(names), (x, y), xytext=(5, 5 if k % 2 == 0 else -12),
                    textcoords="offset points", fontsize=7)
    margin = (high - low) * 0.16  # room for the quadrants' names beyond the scale
    ax.set_xlim(low - margin, high + margin)
    ax.set_ylim(low - margin, high + margin)
    for x_high, y_high, name in corners:  # pale, in the quadrant's outer corner
        ax.text(0.99 if x_high else 0.01, 0.99 if y_high else 0.01, name,
                transform=ax.transAxes, ha="right" if x_high else "left",
                va="top" if y_high else "bottom", color="#8C8C8C", fontsize=8,
                style="italic", zorder=1)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    return _png(fig)
