"""The loss curve: total and its parts per step, on a log-scale y axis, drawn with QPainter.

Only the engine computes losses; this draws the numbers each Progress record carries.
A log scale because the loss falls by orders of magnitude in the first steps and then
keeps improving by small factors that a linear axis would flatten into a line on zero.
"""

from __future__ import annotations

import math

import numpy as np
from PyQt5.QtCore import QPointF, QRectF, QSize, Qt
from PyQt5.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PyQt5.QtWidgets import QSizePolicy, QWidget

# Series drawn, in legend order: (key of Progress.losses, label, colour). Colours from
# the Okabe-Ito palette, distinguishable with the common colour-vision deficiencies.
SERIES: tuple[tuple[str, str, str], ...] = (
    ("total", "total", "#000000"),
    ("content", "content", "#0072B2"),
    ("style", "style", "#D55E00"),
    ("tv", "tv", "#009E73"),
)
PLACEHOLDER = "The loss curve appears here during a run."
# A change of the objective while the run runs (nst/settings/changes.py): a dashed line
# in the Okabe-Ito palette's reddish purple, apart from the four series' colours.
MARK_COLOUR = "#CC79A7"


def format_value(value: float) -> str:
    """A loss for the legend: 3 significant digits, exponent form outside 0.01..99999."""
    if value == 0:
        return "0"
    return f"{value:.3g}"


def decade_label(exponent: int) -> str:
    if -2 <= exponent <= 4:
        return f"{10.0**exponent:g}"
    return f"1e{exponent}"


class LossPlot(QWidget):
    """Collects (step, losses) points and draws them; ``clear`` before a new run."""

    MARGIN_LEFT = 52  # at least; wider when a decade's label needs it ("10000")
    MARGIN_RIGHT = 20  # room for half of the last step number, centred on the right edge
    MARGIN_TOP = 10
    MARGIN_BOTTOM = 26
    LEGEND_GAP = 8  # between the plot and the legend's column
    SWATCH = 14

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.steps: list[int] = []
        self.values: dict[str, list[float]] = {key: [] for key, _, _ in SERIES}
        self.total_steps = 0
        self.placeholder = PLACEHOLDER
        self.hidden: frozenset[str] = frozenset()  # series the run has no term for
        # (steps done when the objective changed, what changed in words)
        self.marks: list[tuple[int, str]] = []
        self.setMinimumSize(440, 150)  # the legend's column and a plot beside it
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setToolTip(
            "The loss per step (log scale): total, and its content, style and "
            "total-variation parts; lower is closer to the goal."
        )

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(600, 200)

    def clear(
        self,
        total_steps: int = 0,
        *,
        placeholder: str = PLACEHOLDER,
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        """Empty, for a run of ``total_steps``: ``placeholder`` says what appears here,
        ``hidden`` the loss terms the run has none of (a texture's content)."""
        self.steps.clear()
        self.marks.clear()
        for series in self.values.values():
            series.clear()
        self.total_steps = total_steps
        self.placeholder = placeholder
        self.hidden = hidden
        self.update()

    def add(self, step: int, losses: dict[str, float]) -> None:
        self.steps.append(step)
        for key, series in self.values.items():
            series.append(math.nan if key in self.hidden else float(losses.get(key, math.nan)))
        self.update()

    def mark(self, step: int, text: str) -> None:
        """The objective changed after ``step`` steps: a line between that step and the
        next, labelled ``text`` (the new values)."""
        self.marks.append((step, text))
        self.update()

    # --- drawing ---

    def _y_range(self) -> tuple[float, float] | None:
        """The decades (log10) the positive finite values span, padded to whole decades."""
        data = np.concatenate([np.asarray(v, dtype=float) for v in self.values.values()])
        data = data[np.isfinite(data) & (data > 0)]
        if data.size == 0:
            return None
        low, high = math.floor(math.log10(data.min())), math.ceil(math.log10(data.max()))
        if high <= low:
            high = low + 1
        return float(low), float(high)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.Base))
        y_range = self._y_range()
        plot = self.plot_rect(y_range)
        if y_range is None:
            painter.setPen(palette.color(QPalette.Disabled, QPalette.WindowText))
            painter.drawText(self.rect(), Qt.AlignCenter | Qt.TextWordWrap, self.placeholder)
            painter.end()
            return
        x_max = max(self.total_steps, self.steps[-1] if self.steps else 1, 2)
        self._draw_axes(painter, plot, y_range, x_max)
        painter.setClipRect(plot.adjusted(-2, -2, 2, 2))
        for key, _, colour in SERIES:
            self._draw_series(painter, plot, y_range, x_max, key, QColor(colour))
        self._draw_marks(painter, plot, x_max)
        painter.setClipping(False)
        self._draw_legend(painter)
        painter.end()

    def legend_width(self) -> int:
        """The legend's column, right of the plot: inside it the legend would cover the
        curves' last steps, the part a user watches. As wide as the widest entry can get
        (a label and "8.88e+88"), so the plot does not jump as the values change."""
        metrics = QFontMetrics(self.font())
        widest = max(metrics.horizontalAdvance(f"{label} 8.88e+88") for _, label, _ in SERIES)
        return widest + self.SWATCH + 18

    def plot_rect(self, y_range: tuple[float, float] | None = None) -> QRectF:
        """Where the curves are drawn, between the decade labels and the legend."""
        metrics = QFontMetrics(self.font())
        left = self.MARGIN_LEFT
        if y_range is not None:  # the widest decade label, whole (never "…0000")
            labels = range(int(y_range[0]), int(y_range[1]) + 1)
            left = max(left, max(metrics.horizontalAdvance(decade_label(e)) for e in labels) + 12)
        right = self.MARGIN_RIGHT + self.LEGEND_GAP + self.legend_width()
        return QRectF(
            left,
            self.MARGIN_TOP,
            max(1, self.width() - left - right),
            max(1, self.height() - self.MARGIN_TOP - self.MARGIN_BOTTOM),
        )

    def legend_rect(self) -> QRectF:
        """The legend's box, in its column right of the plot (for drawing and tests)."""
        metrics = QFontMetrics(self.font())
        entries = sum(
            1 for key, _, _ in SERIES if self.values[key] and not math.isnan(self.values[key][-1])
        )
        box = QRectF(0, 0, self.legend_width(), entries * metrics.height() + 8)
        box.moveTopRight(QPointF(self.width() - 6, self.MARGIN_TOP))
        return box

    def _to_point(
        self, plot: QRectF, y_range: tuple[float, float], x_max: int, step: float, value: float
    ) -> QPointF:
        low, high = y_range
        x = plot.left() + plot.width() * (step - 1) / max(1, x_max - 1)
        y = plot.bottom() - plot.height() * (math.log10(value) - low) / (high - low)
        return QPointF(x, y)

    def _draw_axes(
        self, painter: QPainter, plot: QRectF, y_range: tuple[float, float], x_max: int
    ) -> None:
        palette = self.palette()
        grid = QPen(palette.color(QPalette.Mid), 1, Qt.DotLine)
        text = palette.color(QPalette.Text)
        metrics = QFontMetrics(self.font())
        low, high = int(y_range[0]), int(y_range[1])
        # A label per decade, thinned so labels never overlap.
        every = max(1, math.ceil((high - low) * metrics.height() * 1.5 / plot.height()))
        for exponent in range(low, high + 1):
            y = plot.bottom() - plot.height() * (exponent - low) / (high - low)
            painter.setPen(grid)
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            if (exponent - low) % every == 0:
                painter.setPen(text)
                label = decade_label(exponent)
                box = QRectF(0, y - metrics.height() / 2, plot.left() - 6, metrics.height())
                painter.drawText(box, Qt.AlignRight | Qt.AlignVCenter, label)
        for step in _nice_ticks(x_max):
            x = plot.left() + plot.width() * (step - 1) / max(1, x_max - 1)
            painter.setPen(grid)
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            painter.setPen(text)
            box = QRectF(x - 40, plot.bottom() + 3, 80, metrics.height())
            painter.drawText(box, Qt.AlignHCenter | Qt.AlignTop, str(step))
        painter.setPen(QPen(palette.color(QPalette.Dark), 1))
        painter.drawRect(plot)
        painter.setPen(text)
        # Left of the x axis, under the decade labels: at the right end it would collide
        # with the last tick's number.
        painter.drawText(
            QRectF(0, plot.bottom() + 3, plot.left() - 14, metrics.height()),
            Qt.AlignRight | Qt.AlignTop,
            "step",
        )

    def _draw_series(
        self,
        painter: QPainter,
        plot: QRectF,
        y_range: tuple[float, float],
        x_max: int,
        key: str,
        colour: QColor,
    ) -> None:
        values = np.asarray(self.values[key], dtype=float)
        steps = np.asarray(self.steps, dtype=float)
        keep = np.isfinite(values) & (values > 0)  # a log axis has no place for 0
        values, steps = values[keep], steps[keep]
        if values.size == 0:
            return
        # More points than pixels only costs time: keep about two per pixel column.
        limit = max(2, int(plot.width()) * 2)
        if values.size > limit:
            index = np.unique(np.linspace(0, values.size - 1, limit).astype(int))
            values, steps = values[index], steps[index]
        polygon = QPolygonF(
            [self._to_point(plot, y_range, x_max, s, v) for s, v in zip(steps, values, strict=True)]
        )
        pen = QPen(colour, 2.0 if key == "total" else 1.5)
        painter.setPen(pen)
        if polygon.size() == 1:
            painter.setBrush(colour)
            painter.drawEllipse(polygon[0], 2.5, 2.5)
            painter.setBrush(Qt.NoBrush)
        else:
            painter.drawPolyline(polygon)

    def _draw_marks(self, painter: QPainter, plot: QRectF, x_max: int) -> None:
        """Each change of the objective: a dashed line half a step after the last step of
        the old objective, its words beside it, on rows of their own near the bottom (the
        total and its large parts run along the top), so that changes a few steps apart
        do not write over each other."""
        metrics = QFontMetrics(self.font())
        colour = QColor(MARK_COLOUR)
        background = self.palette().color(QPalette.Base)
        background.setAlpha(210)
        rows = max(1, int(plot.height() // (metrics.height() + 2)) - 1)
        for index, (step, text) in enumerate(self.marks):
            x = plot.left() + plot.width() * (step - 0.5) / max(1, x_max - 1)
            painter.setPen(QPen(colour, 1.5, Qt.DashLine))
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
            width = metrics.horizontalAdvance(text) + 6
            left = x + 3 if x + 3 + width <= plot.right() else x - 3 - width
            top = plot.bottom() - (1 + index % rows) * (metrics.height() + 2)
            box = QRectF(left, top, width, metrics.height())
            painter.fillRect(box, background)
            painter.setPen(colour.darker(140))
            painter.drawText(box, Qt.AlignCenter, text)

    def _draw_legend(self, painter: QPainter) -> None:
        metrics = QFontMetrics(self.font())
        entries = []
        for key, label, colour in SERIES:
            latest = self.values[key][-1] if self.values[key] else math.nan
            if math.isnan(latest):
                continue
            entries.append((f"{label} {format_value(latest)}", QColor(colour)))
        if not entries:
            return
        box = self.legend_rect()
        painter.setPen(QPen(self.palette().color(QPalette.Mid), 1))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(box, 3, 3)
        swatch = self.SWATCH
        y = box.top() + 4
        for text, colour in entries:
            middle = y + metrics.height() / 2
            painter.setPen(QPen(colour, 2.5))
            painter.drawLine(
                QPointF(box.left() + 6, middle), QPointF(box.left() + 6 + swatch, middle)
            )
            painter.setPen(self.palette().color(QPalette.Text))
            painter.drawText(
                QRectF(box.left() + 12 + swatch, y, box.width(), metrics.height()),
                Qt.AlignLeft | Qt.AlignVCenter,
                text,
            )
            y += metrics.height()


def _nice_ticks(x_max: int) -> list[int]:
    """About five round step numbers (1, 2 or 5 times a power of ten) up to ``x_max``."""
    raw = max(1.0, x_max / 5)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = [int(t) for t in np.arange(step, x_max + 1, step)]
    return [1, *ticks] if not ticks or ticks[0] != 1 else ticks
