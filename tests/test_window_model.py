"""The window's model without Qt (gui/model/): typed changes, one value per field, an
invalid edit kept with its problem, a recipe loaded in one change, and Run's request."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any

import pytest

from gui.model import (
    FIELDS,
    Ending,
    Engine,
    FolderChanged,
    ImagesChanged,
    NotReady,
    Phase,
    RunRequest,
    RunState,
    RunStateChanged,
    SettingsChanged,
    WindowModel,
)
from nst.settings import Settings, ratio_to_strength, strength_to_ratio


def recorded(model: WindowModel) -> list[Any]:
    changes: list[Any] = []
    model.subscribe(changes.append)
    return changes


def ready_model(tmp_path: Any) -> WindowModel:
    model = WindowModel(folder=str(tmp_path))
    model.load_settings(Settings(content="photo.jpg", style="painting.jpg"))
    return model


def test_without_qt_a_load_change_and_run_request() -> None:
    # The done-when of issue 19, section 3: `python -c` on the model, Qt never imported.
    script = textwrap.dedent(
        """
        import sys
        from gui.model import RunRequest, SettingsChanged, WindowModel
        from nst.settings import Settings
        model = WindowModel(folder="/tmp/results")
        changes = []
        model.subscribe(changes.append)
        model.load_settings(Settings(content="a.jpg", style="b.jpg", iterations=7))
        model.set_field("optimizer", "adam")
        request = model.request_run()
        assert isinstance(request, RunRequest), request
        assert request.settings.optimizer == "adam" and request.settings.iterations == 7
        assert request.settings.learning_rate is None and request.folder == "/tmp/results"
        assert [type(c) for c in changes] == [SettingsChanged, SettingsChanged]
        assert changes[1].fields == {"optimizer"}
        heavy = sorted(m for m in ("PyQt5", "tensorflow") if m in sys.modules)
        assert not heavy, heavy
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_loading_settings_is_one_change_of_every_field() -> None:
    model = WindowModel()
    changes = recorded(model)
    model.load_settings(Settings(iterations=9, learning_rate=1.0))
    assert changes == [SettingsChanged(frozenset(FIELDS), loaded=True)]
    # Round trip: the rate as loaded, even where it equals the optimizer's default.
    assert model.settings == Settings(iterations=9, learning_rate=1.0)
    assert model.rate_chosen


def test_an_edit_emits_the_fields_it_changed_and_nothing_for_the_same_value() -> None:
    model = WindowModel()
    changes = recorded(model)
    model.set_field("iterations", 300)  # the value it holds: no change
    model.set_field("tv_weight", 1)  # 1 is 1.0
    assert changes == []
    model.set_fields(size=256, iterations=20)
    assert changes == [SettingsChanged(frozenset({"size", "iterations"}))]
    assert model.settings.size == 256 and model.settings.iterations == 20


def test_an_invalid_edit_is_kept_with_its_problem_and_rewrites_nothing() -> None:
    model = WindowModel()
    model.set_field("work_size", 1024)  # above the output size (512)
    assert model.value("work_size") == 1024
    assert set(model.problems) == {"work_size"}
    assert model.settings.work_size is None and model.value("size") == 512
    not_ready = model.request_run()
    assert isinstance(not_ready, NotReady) and set(not_ready.problems) == {"work_size"}
    model.set_field("size", 2048)  # now it fits: both edits are the Settings
    assert model.problems == {}
    assert (model.settings.size, model.settings.work_size) == (2048, 1024)


def test_a_content_weight_of_0_stays_0_and_the_strength_has_no_ratio() -> None:
    model = WindowModel()
    model.set_field("content_weight", 0)
    assert model.settings.content_weight == 0 and model.settings.style_weight == 10
    assert model.strength_position is None
    model.set_strength_position(0.9)  # no ratio to set: nothing is rewritten
    assert model.settings.content_weight == 0 and model.settings.style_weight == 10


def test_the_strength_slider_and_the_style_weight_are_one_value() -> None:
    model = WindowModel()
    model.set_field("content_weight", 2.0)
    changes = recorded(model)
    model.set_strength_position(0.8)
    assert changes == [SettingsChanged(frozenset({"style_weight"}))]
    assert model.settings.style_weight == pytest.approx(2.0 * strength_to_ratio(0.8))
    assert model.settings.content_weight == 2.0
    assert model.strength_position == pytest.approx(0.8)
    model.set_field("style_weight", 2.0 * 100)
    assert model.strength_position == pytest.approx(ratio_to_strength(100))
    assert model.preview_strength == model.strength_position
    model.set_fields(method="instant", style_strength=0.35)
    assert model.preview_strength == 0.35


def test_the_learning_rate_stays_the_optimizers_default_until_chosen() -> None:
    model = WindowModel()
    model.set_field("optimizer", "adam")
    assert model.settings.learning_rate is None and not model.rate_chosen
    model.set_field("learning_rate", 2.5)
    model.set_field("optimizer", "sgd")
    assert model.settings.learning_rate == 2.5 and model.rate_chosen
    model.set_field("learning_rate", None)  # "Default"
    assert model.settings.learning_rate is None


def test_regions_are_set_aside_by_another_method_and_come_back() -> None:
    model = WindowModel()
    model.set_fields(style="a.jpg", style_masks=("mask.png",))
    changes = recorded(model)
    model.set_field("method", "instant")
    assert model.settings.style_masks == () and model.masks_aside == ("mask.png",)
    assert changes[-1].fields == {"method", "style_masks"}
    model.set_field("method", "gatys")
    assert model.settings.style_masks == ("mask.png",)
    model.set_field("style", "")  # the main style removed: its region goes with it
    assert model.settings.style_masks == ()


def test_readiness_names_what_is_missing_loading_or_busy(tmp_path: Any) -> None:
    model = WindowModel()
    not_ready = model.readiness()
    assert not_ready is not None
    assert not_ready.missing == ("content", "style", "output_folder")
    model = ready_model(tmp_path)
    assert model.readiness() is None
    changes = recorded(model)
    model.set_loading("style", True)
    assert changes == [ImagesChanged(frozenset({"style"}))]
    assert model.readiness() == NotReady(loading=("style",))
    model.set_loading("style", False)
    model.set_sweep_running(True)
    assert model.readiness() == NotReady(sweep_running=True)
    model.set_sweep_running(False)
    request = model.request_run()
    assert isinstance(request, RunRequest) and request.settings.content == "photo.jpg"


def test_folder_and_run_state_changes_are_typed(tmp_path: Any) -> None:
    model = WindowModel()
    changes = recorded(model)
    model.set_folder(f" {tmp_path} ")
    model.set_run_state(RunState(Phase.LOADING_MODEL))
    model.set_run_state(RunState(Phase.RUNNING, 3, 10))
    assert changes == [
        FolderChanged(str(tmp_path)),
        RunStateChanged(RunState(Phase.LOADING_MODEL)),
        RunStateChanged(RunState(Phase.RUNNING, 3, 10)),
    ]
    assert model.run_state.active and not RunState(Phase.FINISHED).active


def test_a_run_reports_typed_values_and_the_same_values_twice_are_no_change() -> None:
    model = WindowModel()
    changes = recorded(model)
    model.update_run(phase=Phase.RUNNING, step=1, total=5, losses={"total": 2.0}, eta=4.0)
    model.update_run(step=1, losses={"total": 2.0})  # nothing new: no change
    model.update_run(engine=Engine("CPU (2 cores)"))
    model.update_run(phase=Phase.FAILED, ending=Ending(error="It ran out of memory."))
    assert [type(c) for c in changes] == [RunStateChanged] * 3
    state = model.run_state
    assert (state.step, state.total, state.eta, dict(state.losses)) == (1, 5, 4.0, {"total": 2.0})
    assert state.engine == Engine("CPU (2 cores)") and state.ending.error.startswith("It ran")
    frames = state.frames
    model.update_run(image=object(), frames=frames + 1)  # a new live image is a change
    assert len(changes) == 4 and model.run_state.frames == frames + 1


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(KeyError):
        WindowModel().set_field("colour_strenght", 0.5)


class _Image:
    def __init__(self, path: str) -> None:
        self.path, self.width, self.height, self.display = path, 64, 48, None


def test_a_chosen_image_says_whether_it_was_loaded_again_from_its_path() -> None:
    model = WindowModel()
    changes = recorded(model)
    first = _Image("/p/photo.jpg")
    model.set_image("content", first)
    model.set_image("content", _Image("/p/photo.jpg"))  # chosen again: the file may differ
    model.set_image("content", None)
    assert [(c.chosen, c.reloaded) for c in changes] == [
        ({"content"}, frozenset()),
        ({"content"}, {"content"}),
        ({"content"}, frozenset()),
    ]
    assert model.image("content") is None


def test_styles_keep_their_regions_in_step() -> None:
    model = WindowModel()
    model.set_field("style", "a.jpg")
    model.add_style("b.jpg", 0.5)
    model.set_region(1, "b_mask.png")
    assert model.settings.style_masks == ("", "b_mask.png")
    model.set_style_weight(1, 0.25)
    model.set_style_weight(0, 2.0)
    assert model.settings.extra_styles == (("b.jpg", 0.25),)
    assert model.settings.style_image_weight == 2.0
    model.remove_style("b.jpg")  # its region goes with it
    assert model.settings.extra_styles == () and model.settings.style_masks == ()
