"""The vocabulary rule kinds are written in: small expressions over an instrument's slots.

Every rule kind (content.rulekinds) is one definition built from these nodes, and every
target compiles the nodes, never the kind: the Python evaluation (content.scoring), the
respondent workbook's formulas (workbooks.formulas), the comparison's formulas
(compare.full.rules) and the summary's running figures (compare.summary). A new rule kind
is one definition, plus at most one new node that each target learns to compile.

Whole-instrument nodes read a tuple of slots. Per-row nodes read one row of a table item at
a time: :class:`Cell` names the column, the row is the target's context. A rule gives one
or more :class:`Part` s (its value, its band, a group's count, a step such as the latest
actual); :class:`Ref` lets one part read another, which a workbook turns into a reference to
that part's cell and a single formula writes out in full.

How the comparison summarises a per-row or group rule over all respondents is a
:class:`Rollup`: figures per row (:class:`RowStats`: mean, band, rank, lowest, highest),
respondents per group (:class:`GroupCounts`) or points per row or named stakeholder
(:class:`Scatter`). The full comparison compiles it to formulas, the summary to running
sums (and a store could compile it to SQL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from templategen.content.model import Band as BandSpec
from templategen.content.model import Item, Slot


class Node:
    """An expression node; each target has one compiler per node class."""

    __slots__ = ()


# --- over a rule's slots (whole-instrument rules) ------------------------------------------

@dataclass(frozen=True, eq=False)
class Total(Node):
    """The sum of the numbers among the slots; an empty answer counts 0."""

    slots: tuple[Slot, ...]


@dataclass(frozen=True, eq=False)
class Mean(Node):
    """The mean of the numbers among the slots; empty (None) when there are none."""

    slots: tuple[Slot, ...]


@dataclass(frozen=True, eq=False)
class Spread(Node):
    """Highest minus lowest number among the slots; empty when there are none."""

    slots: tuple[Slot, ...]


@dataclass(frozen=True, eq=False)
class CountWhere(Node):
    """How many answers meet ``when`` (one of min, max, equals, checked)."""

    slots: tuple[Slot, ...]
    when: Mapping[str, object]


@dataclass(frozen=True, eq=False)
class Chosen(Node):
    """How many answers of a group are chosen: ticked boxes when ``ticks``, else filled."""

    slots: tuple[Slot, ...]
    ticks: bool


@dataclass(frozen=True, eq=False)
class RuleValue(Node):
    """The value of another rule of the instrument (defined above this one)."""

    rule: str


@dataclass(frozen=True, eq=False)
class Share(Node):
    """``total`` / ``maximum``: empty when the maximum is 0 or no number among ``filled``
    is filled in (a blank form shows no verdict)."""

    total: Node
    maximum: float
    filled: tuple[Slot, ...]


@dataclass(frozen=True, eq=False)
class Covered(Node):
    """How many of ``parts`` are above 0."""

    parts: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Alert(Node):
    """``message`` when ``value`` is above 0 and below ``count``, else empty."""

    value: Node
    count: int
    message: str


@dataclass(frozen=True, eq=False)
class Band(Node):
    """The label of the highest band minimum ``value`` reaches (the lowest band's label
    below every minimum); empty when ``value`` is empty."""

    value: Node
    bands: tuple[BandSpec, ...]


@dataclass(frozen=True, eq=False)
class Ref(Node):
    """Another part of the same rule, by name."""

    part: str


# --- per row of a table item ---------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Cell(Node):
    """The number answered in ``column`` of the current row of ``item``."""

    item: Item
    column: str


@dataclass(frozen=True, eq=False)
class Difference(Node):
    """a − b; empty when either is empty."""

    a: Node
    b: Node


@dataclass(frozen=True, eq=False)
class Product(Node):
    """The product of the factors; empty when any is empty."""

    factors: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Quadrant(Node):
    """The label of the quadrant of (x, y); a value >= split is high; empty when either is."""

    x: Node
    y: Node
    split: float
    quadrants: Mapping[str, str]


@dataclass(frozen=True, eq=False)
class Latest(Node):
    """The last filled-in of the cells (in their order)."""

    cells: tuple[Node, ...]


@dataclass(frozen=True, eq=False)
class Progress(Node):
    """(latest − baseline) / (target − baseline); empty when any is empty or target equals
    baseline."""

    baseline: Node
    target: Node
    latest: Node


# --- a rule's figures ------------------------------------------------------------------------

class Role(StrEnum):
    """What a part of a rule is."""

    VALUE = "value"  # the rule's value (per row for a per-row rule)
    BAND = "band"  # the band label of the value
    ALERT = "alert"  # a message when the value calls for one
    GROUP = "group"  # one group's figure (coverage), shown below the value
    STEP = "step"  # a helper figure shown before the value (the latest actual)


class Look(StrEnum):
    """How a part's figure reads; each target picks its number format from it."""

    WHOLE = "whole"  # a count or sum
    DECIMAL = "decimal"  # a mean or spread
    PERCENT = "percent"
    LABEL = "label"  # a band or message
    GAP = "gap"  # a signed difference (coloured as a gap)
    QUADRANT = "quadrant"  # a quadrant's label


@dataclass(frozen=True, eq=False)
class Part:
    name: str
    role: Role
    expr: Node
    label: str = ""  # a formula column's header or a group's label
    look: Look = Look.WHOLE


# --- how the comparison summarises a rule over the respondents ------------------------------

class Stat(StrEnum):
    """A figure over the respondents' values of one row."""

    MEAN = "mean"
    BAND = "band"  # of the mean
    RANK = "rank"  # of the mean among the rows, highest first
    MIN = "min"
    MAX = "max"


class Rollup:
    """How the comparison's matrices summarise a rule; one writer per class per target."""

    __slots__ = ()


@dataclass(frozen=True, eq=False)
class RowStats(Rollup):
    """Per row of the item, figures over every respondent's value of that row."""

    figures: tuple[tuple[Stat, str], ...]  # (figure, its column's head)
    sort: bool = False  # rows by their mean, highest first


@dataclass(frozen=True, eq=False)
class GroupCounts(Rollup):
    """Per group (the rule's GROUP parts), the respondents with something chosen."""

    message: str


@dataclass(frozen=True, eq=False)
class Scatter(Rollup):
    """Per row, or per stakeholder named in an entries item (merged by name), how many
    named it, the mean x and y and the quadrant of those means."""

    x: str
    y: str
    split: float
    quadrants: Mapping[str, str]
