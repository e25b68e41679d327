"""The mouse wheel scrolls a panel, not the drop-down list or spin box under the pointer.

Qt gives the wheel to the widget under the pointer: scrolling down the Run tab to reach
Size turned L-BFGS into Adadelta and the learning rate into 1000 on the way. The usual fix:
combo boxes, spin boxes and sliders take focus only by click or Tab (Qt.StrongFocus, not
WheelFocus), and while one of them lacks focus its wheel events go to the scroll area
around it, which scrolls. Once clicked (focused), the wheel changes the value as before.

One filter on the application covers every such control, including the ones a panel adds
later (a style row's weight slider), and panels owned by others need no change.
"""

from __future__ import annotations

from PyQt5.QtCore import QEvent, QObject, QPointF, Qt
from PyQt5.QtGui import QWheelEvent
from PyQt5.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QScrollBar,
    QWidget,
)

_GUARDED = (QComboBox, QAbstractSpinBox, QAbstractSlider)


def is_guarded(widget: QObject) -> bool:
    """A value control the wheel should not change unless focused; a scroll bar is the
    scrolling itself, so it keeps its wheel."""
    return isinstance(widget, _GUARDED) and not isinstance(widget, QScrollBar)


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    # Only where there is something to scroll instead: a control in a plain dialog keeps
    # Qt's behaviour (taking its wheel there would just make the wheel do nothing).
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _forward(event: QWheelEvent, widget: QWidget, area: QAbstractScrollArea) -> None:
    """Hand the wheel to the scroll area's viewport, where the area scrolls on it.

    Sent on explicitly rather than ignored for Qt to propagate: Qt propagates only the
    wheel events that come from the window system, not ones sent by code or tests."""
    viewport = area.viewport()
    moved = QWheelEvent(
        QPointF(widget.mapTo(viewport, event.pos())),
        event.globalPosF(),
        event.pixelDelta(),
        event.angleDelta(),
        event.buttons(),
        event.modifiers(),
        event.phase(),
        event.inverted(),
        event.source(),
    )
    QApplication.sendEvent(viewport, moved)


def guard(widget: QWidget) -> None:
    if is_guarded(widget) and widget.focusPolicy() == Qt.WheelFocus:
        widget.setFocusPolicy(Qt.StrongFocus)  # the wheel must not focus it either


class WheelGuard(QObject):
    """The application-wide event filter; see the module docstring."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if kind == QEvent.Polish and is_guarded(watched):
            guard(watched)  # a control made after install_wheel_guard, as it is first shown
        elif kind == QEvent.Wheel and is_guarded(watched) and not watched.hasFocus():
            area = _scroll_area(watched)
            if area is not None:
                _forward(event, watched, area)
                event.accept()  # handled: Qt must not offer it to the parents as well
                return True
        return False


def install_wheel_guard(window: QWidget) -> WheelGuard:
    """Guard every control of the application from now on (installed once per
    application), and the controls ``window`` already has."""
    app = QApplication.instance()
    existing = app.property("wheel_guard") if app is not None else None
    if isinstance(existing, WheelGuard):
        wheel_guard = existing
    else:
        wheel_guard = WheelGuard(app)  # the application owns it: it lives as long
        app.installEventFilter(wheel_guard)
        app.setProperty("wheel_guard", wheel_guard)
    for widget in window.findChildren(QWidget):
        guard(widget)
    return wheel_guard
