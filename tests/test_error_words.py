"""The engine's structured errors, worded by each face in its own terms: the command line
names its options, the window its fields and recipes, the engine neither."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nst.settings import Settings
from tests.cli_helpers import tiny_run


def test_the_command_line_says_which_option_names_the_weights(
    run_cli: Any, tmp_path: Path, content_path: str, style_path: str
) -> None:
    missing = tmp_path / "vgg19.h5"
    code, out, err = run_cli(
        *tiny_run(content_path, style_path, tmp_path / "out", "--weights", str(missing))
    )
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith(f"error: The weights file '{missing}' does not exist; ")
    assert "--weights FILE" in err


@pytest.mark.gui
@pytest.mark.usefixtures("isolated_home")
def test_the_window_words_a_recipes_missing_weights_without_options(
    qtbot: Any, tmp_path: Path, content_path: str, style_path: str
) -> None:
    from gui.workers.run_worker import RunWorker

    missing = tmp_path / "vgg19.h5"
    settings = Settings(
        content=content_path, style=style_path, size=32, iterations=1, weights=str(missing)
    )
    worker = RunWorker(settings, str(tmp_path / "out"))
    with qtbot.waitSignal(worker.failed, timeout=120_000) as blocker:
        worker.run()  # on this thread: the wording is what is under test
    message = blocker.args[0]
    assert message.startswith(f"The weights file '{missing}' does not exist; ")
    assert "recipe" in message and "--" not in message and "\n" not in message
