"""A tileable picture in the window (issue 22): the checkbox sets the setting, and the
result is shown laid 2 x 2 beside it; a plain one is not."""

from __future__ import annotations

from typing import Any

from gui.main_window import MainWindow
from tests.gui_helpers import RUN_TIMEOUT_MS, pick, start, tiny


def test_a_tileable_texture_is_shown_laid_two_by_two(
    qtbot: Any, window: MainWindow, style_path: str
) -> None:
    pick(qtbot, window, None, style_path)
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("texture"))
    tiny(window, iterations=3, size=48)
    assert not window.inputs.tileable_box.isHidden()
    window.inputs.tileable_box.setChecked(True)
    assert window.model.settings.tileable is True
    start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)

    result = window.result_panel.outcome.result
    assert result.settings.tileable is True
    view = window.result_panel.tiled_view
    assert not view.isHidden()
    height, width = result.image.shape[:2]
    assert (view.image().width(), view.image().height()) == (2 * width, 2 * height)

    window.inputs.tileable_box.setChecked(False)
    start(qtbot, window)
    qtbot.waitUntil(lambda: not window.is_running, timeout=RUN_TIMEOUT_MS)
    assert window.result_panel.outcome.result.settings.tileable is False
    assert view.isHidden()


def test_the_instant_method_offers_no_tileable_picture(qtbot: Any, window: MainWindow) -> None:
    window.inputs.method_box.setCurrentIndex(window.inputs.method_box.findData("instant"))
    assert window.inputs.tileable_box.isHidden()
