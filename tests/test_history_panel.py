"""The History tab: its panel and its place in the window. GUI tests run under
QT_QPA_PLATFORM=offscreen with pytest-qt, in a tmp_path HOME so nothing touches the
user's files.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PyQt5.QtCore import Qt

from gui.history.compare import CompareDialog
from gui.history.details import details_html
from gui.history.history_panel import HistoryPanel
from gui.history.thumbnails import THUMBNAIL_SIZE, thumbnail_pool
from gui.labels import FIELD_LABELS
from gui.main_window import MainWindow
from nst.history import Entry, list_results
from nst.imaging.save import save_result
from nst.settings import Settings
from tests.history_helpers import ADAM, CONTENT, LBFGS, STYLE, pixels, recipe_for, save

pytestmark = [pytest.mark.gui, pytest.mark.usefixtures("isolated_home")]


# --------------------------------------------------------------------------- the panel


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Three results, the newest an Adam run, and a PNG without a recipe, the oldest."""
    out = tmp_path / "results"
    out.mkdir()
    Image.fromarray(pixels(9)).save(out / "holiday.png")
    os.utime(out / "holiday.png", (500_000, 500_000))
    save(out, LBFGS, at=1_000_000, seed=1)
    save(out, LBFGS.replace(size=48, style=CONTENT), at=1_500_000, seed=2)
    save(out, ADAM, at=2_000_000, seed=3)
    return out


@pytest.fixture
def panel(qtbot: Any, folder: Path) -> HistoryPanel:
    widget = HistoryPanel(field_labels=FIELD_LABELS)
    qtbot.addWidget(widget)
    widget.set_folder(str(folder))
    widget.refresh()
    yield widget
    thumbnail_pool().waitForDone(10_000)


def names(panel: HistoryPanel) -> list[str]:
    items = [panel.list_widget.item(r) for r in range(panel.list_widget.count())]
    return [item.text().split("\n")[0] for item in items]


def select(panel: HistoryPanel, *rows: int) -> None:
    panel.select_paths([panel.entries[r].path for r in rows])


def test_panel_lists_the_results_with_thumbnails(qtbot: Any, panel: HistoryPanel) -> None:
    assert names(panel) == [
        "tubingen_starry_night_003",
        "tubingen_starry_night_002",
        "tubingen_starry_night_001",
        "holiday",
    ]
    assert panel.stack.currentWidget() is panel.list_widget
    assert panel.folder_label.text().startswith("4 results in ")
    qtbot.waitUntil(lambda: panel.thumbnails_pending() == 0, timeout=10_000)
    icon = panel.list_widget.item(0).icon()
    # the 32 px result, enlarged like the others to fill the grid
    assert not icon.isNull() and icon.availableSizes()[0].width() == THUMBNAIL_SIZE
    assert panel.list_widget.item(3).text() == "holiday\nNo recipe"
    assert "Adam, 300 steps" in panel.list_widget.item(0).toolTip()
    assert not panel.compare_button.isEnabled() and not panel.rerun_button.isEnabled()


def test_empty_folder_says_what_to_do(qtbot: Any, tmp_path: Path) -> None:
    widget = HistoryPanel()
    qtbot.addWidget(widget)
    widget.set_folder(str(tmp_path / "new"))
    widget.refresh()
    assert widget.stack.currentWidget() is widget.empty_label
    assert widget.empty_label.text().startswith(f"No results in {tmp_path / 'new'} yet: press Run")
    widget.set_folder("")
    widget.refresh()
    assert "Choose an output folder" in widget.empty_label.text()


def test_selecting_one_shows_its_recipe_and_enables_rerun(panel: HistoryPanel) -> None:
    select(panel, 0)
    text = panel.details_label.text()
    for words in (
        "tubingen_starry_night_003.png",
        "Adam, 300 steps, 512 px, loss 0.75",
        "Optimizer",
        "starry_night.jpg",
        "block4_conv2 1",
        "12.5 s",
    ):
        assert words in text, words
    assert panel.rerun_button.isEnabled() and panel.load_button.isEnabled()
    assert not panel.compare_button.isEnabled()


def test_a_result_without_recipe_can_be_seen_not_rerun(panel: HistoryPanel) -> None:
    select(panel, 3)
    assert "No recipe" in panel.details_label.text()
    assert "holds no recipe" in panel.details_label.text()
    assert not panel.rerun_button.isEnabled() and not panel.load_button.isEnabled()


def test_selecting_two_enables_compare_and_three_disables_it(panel: HistoryPanel) -> None:
    select(panel, 0, 2)
    assert panel.compare_button.isEnabled() and not panel.rerun_button.isEnabled()
    assert "press Compare" in panel.details_label.text()
    select(panel, 0, 1, 2)
    assert not panel.compare_button.isEnabled()


def test_rerun_and_load_emit_the_results_settings(qtbot: Any, panel: HistoryPanel) -> None:
    select(panel, 1)
    with qtbot.waitSignal(panel.rerun_requested) as rerun:
        qtbot.mouseClick(panel.rerun_button, Qt.LeftButton)
    expected = LBFGS.replace(size=48, style=CONTENT)  # the rate as chosen: the default
    assert rerun.args == [expected]
    with qtbot.waitSignal(panel.load_requested) as load:
        qtbot.mouseClick(panel.load_button, Qt.LeftButton)
    assert load.args == [expected]


def test_compare_shows_both_images_at_one_scale_and_the_differences(
    qtbot: Any, panel: HistoryPanel
) -> None:
    select(panel, 0, 2)
    qtbot.mouseClick(panel.compare_button, Qt.LeftButton)
    dialog = panel.compare_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitExposed(dialog)
    view = dialog.view
    assert all(image is not None and image.width() == 32 for image in view.images)
    assert "tubingen_starry_night_003.png" in view.captions[0]
    assert "tubingen_starry_night_001.png" in view.captions[1]
    assert view.scale() == view.MAX_SCALE  # 32 px results in a large dialog: 4x, both
    table = dialog.table
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert rows == [
        ["Optimizer", "Adam", "L-BFGS"],
        ["Learning rate", "4", "1"],
        ["Iterations", "300", "20"],
        ["Output size", "512", "64"],
    ]
    assert dialog.note_label.text().startswith("4 settings differ")
    view.grab()  # paints without error
    dialog.close()
    qtbot.waitUntil(lambda: panel.compare_dialog is None)


@pytest.mark.parametrize(
    ("changes", "note"),
    [
        ({"iterations": 30}, "1 setting differs (both shown at the same scale):"),
        ({"iterations": 30, "seed": 7}, "2 settings differ (both shown at the same scale):"),
    ],
)
def test_compare_counts_the_differing_settings_in_good_grammar(
    qtbot: Any, tmp_path: Path, changes: dict[str, Any], note: str
) -> None:
    save(tmp_path, LBFGS, at=1_000_000, seed=1)
    save(tmp_path, LBFGS.replace(**changes), at=2_000_000, seed=2)
    left, right = list_results(tmp_path)
    dialog = CompareDialog(left, right, FIELD_LABELS)
    qtbot.addWidget(dialog)
    assert dialog.note_label.text() == note
    assert dialog.table.rowCount() == len(changes)


def test_compare_with_a_result_without_recipe_says_so(qtbot: Any, panel: HistoryPanel) -> None:
    select(panel, 0, 3)
    dialog = panel.open_compare()
    assert dialog is not None and dialog.table.rowCount() == 0
    assert dialog.note_label.text() == (
        "holiday.png has no recipe, so the settings cannot be compared."
    )
    assert all(image is not None for image in dialog.view.images)
    dialog.close()


def test_compare_with_an_unreadable_image_shows_why(
    qtbot: Any, panel: HistoryPanel, folder: Path
) -> None:
    select(panel, 0, 1)
    (folder / "tubingen_starry_night_002.png").write_bytes(b"gone bad")
    dialog = panel.open_compare()
    assert (
        dialog.view.images[1] is None and "tubingen_starry_night_002.png" in dialog.view.problems[1]
    )
    dialog.view.grab()
    dialog.close()


def test_refresh_keeps_the_selection(panel: HistoryPanel, folder: Path) -> None:
    select(panel, 1)
    kept = panel.selected_paths()
    save(folder, ADAM, at=3_000_000, seed=5)
    panel.refresh()
    assert len(panel.entries) == 5 and panel.selected_paths() == kept


def test_panel_follows_the_folder_on_disk(qtbot: Any, panel: HistoryPanel, folder: Path) -> None:
    panel.show()
    qtbot.waitExposed(panel)
    save(folder, ADAM, at=time.time(), seed=6)
    qtbot.waitUntil(lambda: len(panel.entries) == 5, timeout=5_000)
    assert names(panel)[0] == "tubingen_starry_night_004"


def test_a_panel_deleted_while_its_thumbnails_decode_leaves_the_others_theirs(
    qtbot: Any, folder: Path
) -> None:
    from PyQt5 import sip

    closed, kept = HistoryPanel(), HistoryPanel()
    qtbot.addWidget(kept)
    for panel in (closed, kept):
        panel.set_folder(str(folder))
        panel.refresh()
    assert closed.thumbnails_pending() == kept.thumbnails_pending() == 4
    sip.delete(closed)  # as a closed window's panel, while the pool decodes its thumbnails
    qtbot.waitUntil(lambda: kept.thumbnails_pending() == 0, timeout=10_000)
    thumbnail_pool().waitForDone(10_000)
    icons = [kept.list_widget.item(r).icon() for r in range(kept.list_widget.count())]
    sizes = [(i.availableSizes()[0].width(), i.availableSizes()[0].height()) for i in icons]
    assert sizes == [(THUMBNAIL_SIZE, THUMBNAIL_SIZE * 3 // 4)] * 4  # decoded, not blank


def test_hidden_panel_lists_the_folder_when_shown(qtbot: Any, folder: Path) -> None:
    widget = HistoryPanel()
    qtbot.addWidget(widget)
    with qtbot.waitSignal(widget._timer.timeout, timeout=5_000):  # the refresh delay
        widget.set_folder(str(folder))
    assert widget.entries == []  # hidden: not listed yet
    widget.show()
    assert len(widget.entries) == 4


def test_every_panel_control_has_a_tooltip(panel: HistoryPanel) -> None:
    from PyQt5.QtWidgets import QAbstractButton

    select(panel, 0, 1)
    dialog = panel.open_compare()
    buttons = panel.findChildren(QAbstractButton)
    assert len(buttons) >= 5
    assert [b.text() for b in buttons if not b.toolTip()] == []
    assert panel.list_widget.toolTip() and panel.details_label.toolTip()
    dialog.close()


def test_details_escape_file_names(tmp_path: Path) -> None:
    entry = Entry(
        path=str(tmp_path / "<b>x</b>.png"),
        recipe=None,
        modified=0.0,
        problem="'<b>x</b>.png' holds no recipe.",
    )
    text = details_html(entry, {})
    assert "<b>x</b>" not in text.replace("<b>&lt;", "")
    assert "&lt;b&gt;x&lt;/b&gt;.png" in text


# --------------------------------------------------------------------------- in the window


@pytest.fixture
def out_dir(folder: Path) -> Path:
    """The window (tests/conftest.py) saves and lists in the folder of results."""
    return folder


def test_window_has_result_and_history_tabs(qtbot: Any, window: MainWindow, folder: Path) -> None:
    tabs = window.result_tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Result", "History", "Sweep", "Queue"]
    assert tabs.widget(1) is window.history_panel and tabs.tabToolTip(1)
    assert window.history_panel.folder == str(folder)
    tabs.setCurrentIndex(1)
    assert len(window.history_panel.entries) == 4
    window.controls.folder_edit.setText(str(folder / "elsewhere"))
    qtbot.waitUntil(lambda: window.history_panel.entries == [], timeout=5_000)


def test_load_settings_from_history_fills_the_window(qtbot: Any, window: MainWindow) -> None:
    panel = window.history_panel
    window.result_tabs.setCurrentIndex(1)
    select(panel, 0)
    qtbot.mouseClick(panel.load_button, Qt.LeftButton)
    qtbot.waitUntil(
        lambda: (
            not window.inputs.content_picker.is_loading
            and not window.inputs.style_picker.is_loading
        ),
        timeout=10_000,
    )
    shown = window.current_settings()
    assert (shown.optimizer, shown.iterations, shown.size) == ("adam", 300, 512)
    assert shown.content == CONTENT and shown.style == STYLE
    assert not window.is_running and window.result_tabs.currentIndex() == 1


@pytest.mark.slow
def test_rerun_from_history_runs_and_lists_the_new_result(
    qtbot: Any, window: MainWindow, folder: Path
) -> None:
    tiny = Settings(content=CONTENT, style=STYLE, size=32, iterations=2)
    save_result(pixels(), folder, "tiny", recipe_for(tiny))
    panel = window.history_panel
    window.result_tabs.setCurrentIndex(1)
    panel.select_paths([str(folder / "tiny_001.png")])
    qtbot.mouseClick(panel.rerun_button, Qt.LeftButton)
    assert window.result_tabs.currentIndex() == 0
    qtbot.waitUntil(lambda: window.is_running, timeout=10_000)
    qtbot.waitUntil(lambda: not window.is_running, timeout=120_000)
    assert window.last_message is None
    saved = window.result_panel.outcome.saved_path
    assert saved and Path(saved).name == "tubingen_starry_night_004.png"
    assert panel.entries[0].path == saved
    assert panel.entries[0].settings.iterations == 2


def test_rerun_with_a_missing_image_does_not_run(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    moved = tmp_path / "moved.jpg"
    shutil.copy(CONTENT, moved)
    window.inputs.content_picker.set_path(STYLE)
    window.inputs.style_picker.set_path(STYLE)
    qtbot.waitUntil(
        lambda: (
            not window.inputs.content_picker.is_loading
            and not window.inputs.style_picker.is_loading
        ),
        timeout=10_000,
    )
    moved.unlink()
    window.runner.rerun(Settings(content=str(moved), style=STYLE, size=32, iterations=2))
    qtbot.waitUntil(lambda: window.runner.pending is None, timeout=10_000)
    assert not window.is_running
    assert "could not be loaded" in window.statusBar().currentMessage()
