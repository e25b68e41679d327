"""The controls as a newcomer meets them (issue 14): the wheel scrolls the panel instead of
changing a setting, regions under another method, the preview's strength, a layout that
stays put, and "Add a style image" with the samples and the last folder."""

from __future__ import annotations

import math
import shutil
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PyQt5.QtCore import QPoint, QPointF, Qt, QUrl
from PyQt5.QtGui import QDesktopServices, QWheelEvent
from PyQt5.QtWidgets import QApplication, QFileDialog, QScrollArea, QWidget
from pytestqt.exceptions import TimeoutError

from gui.main_window import MainWindow
from gui.model import Phase, RunState
from gui.widgets.samples import SAMPLES_DIR
from nst.settings import strength_to_ratio
from tests.gui_helpers import pick

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]

SAMPLES = Path(__file__).resolve().parent.parent / "gui" / "samples"
PHOTO = str(SAMPLES / "tubingen.jpg")
STARRY = str(SAMPLES / "starry_night.jpg")
SCREAM = str(SAMPLES / "the_scream.jpg")


def settle(qtbot: Any, window: MainWindow) -> None:
    """Wait for the instant preview, whose arrival relays the window out: a width measured
    before it and one after it differ for that reason, not for the change under test."""
    view = window.result_panel.preview_view
    qtbot.waitUntil(lambda: view.image() is not None, timeout=120_000)


def wheel_down(widget: QWidget) -> bool:
    """One notch of the wheel over ``widget``, as Qt delivers it; whether it was accepted."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, -120),
        Qt.NoButton,
        Qt.NoModifier,
        Qt.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def run_tab_scrollbar(window: MainWindow) -> Any:
    window.tabs.setCurrentIndex(0)
    area = window.tabs.currentWidget()
    assert isinstance(area, QScrollArea)
    return area.verticalScrollBar()


def method(window: MainWindow, name: str) -> None:
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData(name))


# --------------------------------------------------------------------------- item 2: wheel


def test_wheel_over_an_unfocused_control_scrolls_the_panel(qtbot: Any, window: MainWindow) -> None:
    window.resize(1024, 700)
    bar = run_tab_scrollbar(window)
    qtbot.waitUntil(lambda: bar.maximum() > 0)  # at this size the Run tab scrolls
    optimizer = window.controls.optimizer_box
    rate = window.controls.rate_box
    strength = window.inputs.style_mix.ratio_strength
    assert optimizer.focusPolicy() == Qt.StrongFocus and rate.focusPolicy() == Qt.StrongFocus
    for control, value in (
        (optimizer, optimizer.currentIndex),
        (rate, rate.value),
        (strength, strength.value),
    ):
        before, position = value(), bar.value()
        wheel_down(control)
        assert value() == before, control
        assert bar.value() > position or bar.value() == bar.maximum(), control
        bar.setValue(0)
    # A slider made later (an added style's weight) is guarded too.
    window.inputs.style_mix.add(SCREAM, 0.5)
    weight = window.inputs.style_mix.rows[1].weight
    qtbot.waitUntil(weight.isVisible)
    wheel_down(weight)
    assert window.inputs.style_mix.extra_styles() == [(SCREAM, 0.5)]


def test_wheel_over_a_focused_control_changes_it(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    optimizer = window.controls.optimizer_box
    size = window.controls.size_box
    for control, value in ((optimizer, optimizer.currentIndex), (size, size.value)):
        control.setFocus(Qt.OtherFocusReason)
        qtbot.waitUntil(control.hasFocus)
        before = value()
        assert wheel_down(control)
        assert value() != before, control


# --------------------------------------------------------------------------- item 3: regions


def mask_file(tmp_path: Path, name: str = "left.png") -> str:
    path = tmp_path / name
    Image.new("L", (64, 48), 255).save(path)
    return str(path)


def test_another_method_ignores_the_regions_and_says_so(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    pick(qtbot, window, PHOTO, STARRY)
    mix = window.inputs.style_mix
    mask = mask_file(tmp_path)
    mix._set_mask(mix.rows[0], mask, emit=True)
    assert window.widget_values()["style_masks"] == (mask,) and window.problem() == ""
    assert not mix.regions_note.isVisible()
    for name in ("texture", "instant"):
        method(window, name)
        assert window.problem() == "", name  # Run can start: nobody is stranded
        assert window.widget_values()["style_masks"] == ()
        assert mix.regions_note.isVisible() and "not used" in mix.regions_note.text()
        assert window.run_button.isEnabled()
    method(window, "gatys")  # the regions were only set aside
    assert window.widget_values()["style_masks"] == (mask,)
    assert not mix.regions_note.isVisible() and mix.rows[0].region.text() == "Mask"


def test_removing_a_style_removes_its_region(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    pick(qtbot, window, PHOTO, STARRY)
    mix = window.inputs.style_mix
    mix.add(SCREAM)
    mix._set_mask(mix.rows[1], mask_file(tmp_path), emit=True)
    assert mix.rows[0].region.text() == "Rest"
    mix.remove(SCREAM)
    assert window.widget_values()["style_masks"] == ()
    assert mix.rows[0].region.text() == "Whole"
    # The main style: clearing the Style picker clears its mask.
    mix._set_mask(mix.rows[0], mask_file(tmp_path), emit=True)
    with qtbot.waitSignal(window.inputs.style_picker.changed):
        window.inputs.style_picker.clear()
    assert window.widget_values()["style_masks"] == ()
    assert mix.rows[0].region.text() == "Whole"


# --------------------------------------------------------------------------- item 4: preview


def test_preview_follows_the_visible_strength_slider_in_every_method(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[float] = []

    def request(content: str, styles: Any, strength: float) -> bool:
        asked.append(strength)
        return False  # nothing computed: only what was asked for matters here

    monkeypatch.setattr(window.preview, "request", request)
    pick(qtbot, window, PHOTO, STARRY)
    mix = window.inputs.style_mix
    assert mix.ratio_strength.isVisible() and not mix.strength.isVisible()
    mix.ratio_strength.setValue(20)
    assert asked[-1] == pytest.approx(0.2)
    # Typing the weights moves the same slider, and the preview with it.
    window.layers_panel.content_weight_box.setValue(1.0)
    window.layers_panel.style_weight_box.setValue(strength_to_ratio(0.8))
    assert asked[-1] == pytest.approx(0.8, abs=0.01)
    method(window, "instant")
    assert asked[-1] == pytest.approx(mix.style_strength())
    mix.strength.setValue(35)
    assert asked[-1] == pytest.approx(0.35)


# --------------------------------------------------------------------------- item 8: widths


def test_strength_value_and_region_button_keep_their_width(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    pick(qtbot, window, PHOTO, STARRY)
    settle(qtbot, window)
    mix = window.inputs.style_mix
    label, region, slider = mix.strength_label, mix.rows[0].region, mix.ratio_strength
    shapes = []
    for step in (
        lambda: slider.setValue(78),
        lambda: slider.setValue(2),
        lambda: slider.setValue(100),
        lambda: mix._set_mask(mix.rows[0], mask_file(tmp_path), emit=True),
    ):
        step()
        QApplication.processEvents()  # the layout settles on the event loop
        shapes.append((label.width(), region.width(), slider.geometry()))
    assert all(shape == shapes[0] for shape in shapes)
    assert label.width() >= label.fontMetrics().horizontalAdvance("100%")
    assert region.text() == "Mask" and region.width() >= region.sizeHint().width()


# --------------------------------------------------------------------------- item 10: add


def test_add_a_style_image_offers_the_samples_and_the_last_folder(
    qtbot: Any, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pictures = tmp_path / "pictures"
    pictures.mkdir()
    painting = str(pictures / "painting.jpg")
    shutil.copy(SCREAM, painting)
    starts: list[str] = []

    def exec_(dialog: QFileDialog) -> int:  # the image dialog, cancelled where it opened
        starts.append(dialog.directory().absolutePath())
        return QFileDialog.Rejected

    monkeypatch.setattr(QFileDialog, "exec_", exec_)
    mix = window.inputs.style_mix
    pick(qtbot, window, PHOTO, painting)
    qtbot.mouseClick(mix.add_button, Qt.LeftButton)
    assert starts == [str(pictures)]
    # The same samples as the Style picker's, paintings first.
    labels = [(a.text(), a.data()) for a in mix.samples_menu.actions() if a.data()]
    picker = [
        (a.text(), a.data()) for a in window.inputs.style_picker.samples_menu.actions() if a.data()
    ]
    assert labels == picker and labels[0][1] == STARRY
    next(a for a in mix.samples_menu.actions() if a.data() == STARRY).trigger()
    assert mix.extra_styles() == [(STARRY, 1.0)]
    qtbot.mouseClick(mix.add_button, Qt.LeftButton)  # a sample does not move the folder
    assert starts[-1] == str(pictures)


def test_at_1024_by_700_no_control_is_cut_off_at_the_side(qtbot: Any, window: MainWindow) -> None:
    # The controls scroll up and down only, so a panel narrower than its contents used to
    # clip the drop-down lists and notes at its right edge (the Colours list needed 479 px
    # of a 426 px panel).
    window.resize(1024, 700)
    window.show()
    qtbot.waitExposed(window)
    pick(qtbot, window, PHOTO, STARRY)
    settle(qtbot, window)
    window.inputs.style_mix.add(SCREAM, 0.5)  # a second style row: its remove button too
    areas = [a for a in window.tabs.findChildren(QScrollArea) if a.isVisible() and a.widget()]
    assert areas

    def whole() -> bool:  # the layout settles through posted events
        return all(a.viewport().width() >= a.widget().minimumSizeHint().width() for a in areas)

    try:
        qtbot.waitUntil(whole, timeout=5000)
    except TimeoutError:  # say which panel and by how much
        widths = [(a.viewport().width(), a.widget().minimumSizeHint().width()) for a in areas]
        raise AssertionError(
            f"(viewport, needed) {widths}; splitter {window.splitter.sizes()}"
        ) from None


# --------------------------------------------------------------------------- issue 19, 5


def test_image_dialogs_open_in_pictures_or_home_on_a_fresh_start(
    window: MainWindow, isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    starts: list[str] = []

    def exec_(dialog: QFileDialog) -> int:  # the one image dialog (samples in its sidebar)
        starts.append(dialog.directory().absolutePath())
        return QFileDialog.Rejected

    monkeypatch.setattr(QFileDialog, "exec_", exec_)
    window.inputs.content_picker.open_dialog()
    window.inputs.style_mix.open_dialog()
    pictures = isolated_home / "Pictures"
    assert starts == [str(pictures if pictures.is_dir() else isolated_home)] * 2


def test_the_image_dialog_has_the_samples_one_click_away(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[QFileDialog] = []

    def choose_a_sample(dialog: QFileDialog) -> int:
        seen.append(dialog)
        places = [url.toLocalFile() for url in dialog.sidebarUrls()]
        assert str(SAMPLES_DIR) in places  # in the dialog's own sidebar
        assert dialog.testOption(QFileDialog.DontUseNativeDialog)  # one with a sidebar
        dialog.setDirectory(str(SAMPLES_DIR))  # the click on it
        dialog.selectFile(STARRY)
        return QFileDialog.Accepted

    monkeypatch.setattr(QFileDialog, "exec_", choose_a_sample)
    window.inputs.style_picker.open_dialog()
    qtbot.waitUntil(lambda: window.inputs.style_picker.path == STARRY, timeout=10_000)
    assert len(seen) == 1 and window.model.value("style") == STARRY
    window.inputs.style_mix.open_dialog()  # "Add a style image…": the same dialog
    assert len(seen) == 2 and STARRY in [path for path, _ in window.model.value("extra_styles")]


def test_a_run_shows_the_result_tab(window: MainWindow) -> None:
    window.result_tabs.setCurrentIndex(1)  # History
    window.model.set_run_state(RunState(Phase.STARTING))
    assert window.result_tabs.currentIndex() == 0


def test_the_loss_plot_says_what_the_method_has(window: MainWindow) -> None:
    plot = window.result_panel.loss_plot
    window.model.set_run_state(RunState(Phase.PREPARING, method="instant", run=1))
    assert "no loss curve" in plot.placeholder
    window.model.set_run_state(RunState(Phase.PREPARING, 0, 10, method="texture", run=2))
    plot.add(1, {"total": 2.0, "content": 0.0, "style": 1.5, "tv": 0.5})
    assert math.isnan(plot.values["content"][-1]) and plot.values["style"] == [1.5]


def test_a_result_link_that_opens_nothing_says_so(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda _url: False))
    result = tmp_path / "result_001.png"
    window.result_panel.saved_label.linkActivated.emit(QUrl.fromLocalFile(str(result)).toString())
    title, text = window.last_message
    assert title == "Cannot open the result" and "result_001.png" in text


def test_strength_reads_as_a_share_in_every_method(window: MainWindow) -> None:
    mix = window.inputs.style_mix
    assert mix.strength_label.text() == "50%"
    method(window, "instant")
    mix.strength.setValue(35)
    assert mix.strength_label.text() == "35%"


def test_the_controls_keep_their_width_whatever_they_show(qtbot: Any, window: MainWindow) -> None:
    pick(qtbot, window, PHOTO, STARRY)
    mix, panel = window.inputs.style_mix, window.splitter.widget(0)
    widths = []
    for step in (
        lambda: None,
        lambda: mix.add(SCREAM, 0.5),  # a row with its remove button
        lambda: mix.remove(SCREAM),
        lambda: method(window, "instant"),  # regions hidden
        lambda: method(window, "texture"),  # the strength hidden
        lambda: method(window, "gatys"),
        lambda: window.controls.work_size_box.setValue(2000),  # a red message under Run
    ):
        step()
        QApplication.processEvents()
        widths.append(panel.minimumSizeHint().width())
    assert window.problem()  # the last step's message is showing
    assert widths == [widths[0]] * len(widths)
