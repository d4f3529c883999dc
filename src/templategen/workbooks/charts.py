"""Charts of a workbook: bar (sums), radar (balance) and scatter (quadrant matrices)."""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.chart import BarChart, RadarChart, ScatterChart, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties

from templategen.workbooks.layout import ChartPlan, chart_size

PALETTE = ("1F77B4", "FF7F0E", "2CA02C", "D62728", "9467BD", "8C564B", "E377C2", "7F7F7F",
           "BCBD22", "17BECF")


def _series_chart(kind: type[BarChart] | type[RadarChart], subtype: str
                  ) -> Callable[[ChartPlan], BarChart | RadarChart]:
    """A bar or radar chart builder: one series per plan series, no legend."""

    def build(plan: ChartPlan) -> BarChart | RadarChart:
        chart = kind()
        chart.type = subtype
        for title, _, values, _x in plan.series:
            chart.series.append(Series(values, title=title))
        chart.legend = None
        return chart

    return build


def _scatter(plan: ChartPlan) -> ScatterChart:
    chart = ScatterChart()
    chart.style = 13
    chart.scatterStyle = "marker"
    for n, (title, title_ref, values, xvalues) in enumerate(plan.series):
        series = Series(values, xvalues, title=title)
        series.tx = SeriesLabel(strRef=StrRef(f=title_ref)) if title_ref else SeriesLabel(v=title)
        series.marker.symbol = "circle"
        series.marker.size = 9
        series.marker.graphicalProperties = GraphicalProperties(
            solidFill=PALETTE[n % len(PALETTE)])
        series.marker.graphicalProperties.line.solidFill = PALETTE[n % len(PALETTE)]
        series.graphicalProperties.line.noFill = True
        chart.series.append(series)
    if len(plan.series) > 6:  # many stakeholders: the legend beside a wider chart (see
        chart.legend.position = "r"  # layout.chart_size), so it takes no height from the plot
    chart.x_axis.title = plan.x_title
    chart.y_axis.title = plan.y_title
    if plan.axis_max is not None:
        for axis in (chart.x_axis, chart.y_axis):
            axis.scaling.min = plan.axis_min
            axis.scaling.max = plan.axis_max
            axis.majorUnit = 1
    return chart


CHARTS: dict[str, Callable[[ChartPlan], BarChart | RadarChart | ScatterChart]] = {
    "bar": _series_chart(BarChart, "bar"),
    "radar": _series_chart(RadarChart, "marker"),
    "scatter": _scatter,
}


def make_chart(plan: ChartPlan) -> BarChart | RadarChart | ScatterChart:
    chart = CHARTS[plan.kind](plan)
    chart.title = plan.title
    chart.width, chart.height = chart_size(plan)
    chart.visible_cells_only = False  # the values live on the hidden sheet Rekenblad
    if plan.categories:
        for series in chart.series:
            series.cat = AxDataSource(strRef=StrRef(f=plan.categories))
    if plan.kind == "bar" and plan.axis_max is not None:
        chart.y_axis.scaling.min = plan.axis_min
        chart.y_axis.scaling.max = plan.axis_max
    if plan.number_format:
        chart.y_axis.number_format = plan.number_format
        chart.y_axis.majorUnit = 0.25
    if plan.kind == "radar" and plan.axis_max is not None:
        chart.y_axis.scaling.min = plan.axis_min
        chart.y_axis.scaling.max = plan.axis_max
    for axis in (chart.x_axis, chart.y_axis):
        axis.delete = False
    return chart
