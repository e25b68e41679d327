"""The real engine end to end on tiny images, with the real VGG19 weights."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from nst.errors import RunError
from nst.optim.lbfgs import LBFGS
from nst.precision import Precision
from nst.run import session as transfer
from nst.run import stage
from nst.run.preview import PreviewRate
from nst.run.result import Progress, device_description
from nst.settings import Settings
from nst.vgg.extractor import FeatureExtractor

pytestmark = pytest.mark.slow

SIZE = 64  # tiny, so that a step takes tens of milliseconds on 2 cores


def tiny(content_path: str, style_path: str, **changes) -> Settings:
    values = dict(content=content_path, style=style_path, size=SIZE, iterations=10)
    values.update(changes)
    return Settings(**values)


def collect(session: transfer.Transfer) -> list[Progress]:
    return list(session.steps())


def test_style_and_content_losses_fall_from_noise(content_path, style_path, weights) -> None:
    settings = tiny(content_path, style_path, init="noise", optimizer="adam", iterations=25)
    steps = collect(transfer.Transfer(settings, weights=weights))
    first, last = steps[0], steps[-1]
    assert [p.step for p in steps] == list(range(1, 26))
    assert last.style_loss < 0.5 * first.style_loss
    assert last.content_loss < 0.9 * first.content_loss
    assert last.total_loss < first.total_loss


def test_default_lbfgs_run_gives_an_image_and_a_full_recipe(
    content_path, style_path, weights
) -> None:
    settings = tiny(content_path, style_path)
    session = transfer.Transfer(settings, weights=weights)
    steps = collect(session)
    result = session.result()
    assert steps[-1].total_loss < steps[0].total_loss
    assert result.image.dtype == np.uint8
    assert result.image.shape == (48, 64, 3)  # tubingen is 4:3
    assert not result.stopped
    # the saved image's loss: the best one's, changed a little by rounding to 8 bits
    assert result.losses["total"] == pytest.approx(min(p.total_loss for p in steps), rel=0.02)
    recipe = result.recipe()
    assert recipe["settings"]["optimizer"] == "lbfgs"
    assert recipe["settings"]["learning_rate"] is None  # as chosen: L-BFGS's own
    assert recipe["learning_rate_used"] == 1.0
    assert recipe["weights"]["source"] == weights.source
    assert len(recipe["weights"]["sha256"]) == 64
    assert recipe["device"].startswith(("CPU", "GPU"))
    assert set(recipe["versions"]) >= {"tensorflow", "numpy", "pillow", "nst"}
    assert set(recipe["final_losses"]) == {"total", "content", "style", "tv"}
    assert recipe["duration_s"] > 0


@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_the_losses_reported_are_the_saved_8_bit_images(
    content_path, style_path, weights, precision
) -> None:
    settings = tiny(content_path, style_path, iterations=4, precision=precision)
    session = transfer.Transfer(settings, weights=weights)
    collect(session)
    result = session.result()
    # Recomputed in float32 whatever the run's precision: runs compare (issue 15).
    check = transfer.Transfer(settings.replace(precision="float32"), weights=weights)
    check.prepare()
    total, parts, _ = check.evaluate(result.image[np.newaxis].astype(np.float32))
    assert result.losses["total"] == total
    assert [result.losses[k] for k in ("content", "style", "tv")] == parts.tolist()
    assert result.recipe()["final_losses"] == result.losses


def test_every_image_evaluated_stays_in_the_pixel_range(style_path, weights) -> None:
    # A small texture from noise: where unbounded L-BFGS saturated the borders (issue 15).
    settings = Settings(method="texture", style=style_path, size=48, iterations=12, stages=1)
    session = transfer.Transfer(settings, weights=weights)
    real, ranges = session.evaluate, []

    def recording(image):
        ranges.append((float(np.min(image)), float(np.max(image))))
        return real(image)

    session.evaluate = recording
    collect(session)
    assert len(ranges) > 12  # the run's points and the line searches' trial points
    assert min(low for low, _ in ranges) >= 0.0 and max(high for _, high in ranges) <= 255.0
    best = session.best_image().numpy()
    assert best.min() >= 0.0 and best.max() <= 255.0


@pytest.mark.parametrize(
    "changes",
    [
        # Gatys et al. 2016, Figure 1: content reconstruction, here from the photo itself
        dict(style_weight=0, tv_weight=0, init="content"),
        dict(content_weight=0, style_weight=0, tv_weight=0),  # nothing to lower at all
    ],
)
@pytest.mark.parametrize("optimizer", ["lbfgs", "adam"])
@pytest.mark.parametrize("precision", ["float32", "bfloat16"])
def test_a_zero_gradient_ends_the_run_as_converged(
    content_path, style_path, weights, changes, optimizer, precision
) -> None:
    # bfloat16 too: its targets once rounded unlike the loss's features, and the photo
    # scored about 1e-5 against itself.
    settings = tiny(
        content_path,
        style_path,
        size=32,
        stages=1,
        optimizer=optimizer,
        precision=precision,
        **changes,
    )
    session = transfer.Transfer(settings, weights=weights)
    steps = collect(session)
    assert [p.converged for p in steps] == [True]  # one step, no RecursionError
    result = session.result()
    assert result.converged and result.recipe()["converged"]
    assert result.losses["total"] == 0.0


def test_progress_reports_eta_evaluations_and_previews(content_path, style_path, weights) -> None:
    settings = tiny(content_path, style_path, optimizer="adam", iterations=6, preview_every=3)
    steps = collect(transfer.Transfer(settings, weights=weights))
    assert [p.image is not None for p in steps] == [False, False, True, False, False, True]
    assert steps[2].image.shape == (48, 64, 3) and steps[2].image.dtype == np.uint8
    assert steps[-1].eta == 0
    assert steps[0].eta > 0
    assert [p.evaluations for p in steps] == [2, 3, 4, 5, 6, 7]
    assert all(p.elapsed > 0 for p in steps)


def test_a_preview_interval_leaves_the_steps_between_without_an_image(
    content_path, style_path, weights
) -> None:
    # A window asks for an image every step at most every so many seconds: with an hour,
    # the first step and the last carry one and no step between pays for it.
    settings = tiny(content_path, style_path, optimizer="adam", iterations=6, preview_every=1)
    steps = collect(transfer.Transfer(settings, weights=weights, preview_interval=3600.0))
    assert [p.image is not None for p in steps] == [True, False, False, False, False, True]
    assert steps[-1].image.shape == (48, 64, 3)


def test_preview_rate_keeps_to_its_steps_and_its_interval() -> None:
    now = [0.0]
    rate = PreviewRate(every=2, last_step=9, interval=1.0, clock=lambda: now[0])
    due = []
    for step in range(1, 10):
        now[0] += 0.3  # a step takes 0.3 s
        due.append(rate.due(step))
    # step 2 (0.6 s) is the first; step 4 comes 0.6 s later, step 6 1.2 s; 9 is the last.
    assert [step for step, d in enumerate(due, 1) if d] == [2, 6, 9]
    assert not PreviewRate(every=0, last_step=9).due(9)


@pytest.mark.parametrize("optimizer", ["adam", "adadelta", "rmsprop", "sgd"])
def test_every_optimizer_lowers_the_loss(content_path, style_path, weights, optimizer) -> None:
    settings = tiny(content_path, style_path, optimizer=optimizer, iterations=8, init="noise")
    steps = collect(transfer.Transfer(settings, weights=weights))
    assert steps[-1].total_loss < 0.8 * steps[0].total_loss


def test_stop_between_steps_keeps_the_best_image(content_path, style_path, weights) -> None:
    # float32: the run's losses and the saved image's are then the same measure.
    settings = tiny(content_path, style_path, iterations=500, precision="float32")
    session = transfer.Transfer(settings, weights=weights)
    seen = []
    for progress in session.steps():
        seen.append(progress)
        if progress.step == 2:
            session.stop()
    result = session.result()
    assert len(seen) == 2
    assert result.stopped and result.steps == 2
    assert result.losses["total"] <= seen[-1].total_loss


def test_a_non_finite_loss_stops_with_a_clear_error(
    content_path, style_path, weights, monkeypatch
) -> None:
    session = transfer.Transfer(tiny(content_path, style_path, optimizer="adam"), weights=weights)
    real = session.evaluate
    calls = []

    def poisoned(image):
        calls.append(1)
        loss, parts, grad = real(image)
        return (float("nan") if len(calls) == 4 else loss), parts, grad

    monkeypatch.setattr(session, "evaluate", poisoned)
    seen = []
    with pytest.raises(RunError, match="became nan at step 3; lower the learning rate"):
        for progress in session.steps():
            seen.append(progress)
    assert len(seen) == 2
    assert session.result().image.shape == (48, 64, 3)  # the best image so far survives


def test_changing_weights_does_not_retrace(content_path, style_path, weights) -> None:
    first = tiny(content_path, style_path, iterations=2, optimizer="adam")
    transfer.run(first, weights=weights)
    session = transfer.Transfer(first, weights=weights)
    session.prepare()
    traced = session._loss.experimental_get_tracing_count()
    changed = first.replace(
        style_weight=3.0,
        content_weight=0.5,
        tv_weight=0,
        style_layers={k: 2.0 for k in first.style_layers},
        size=56,
    )
    transfer.run(changed, weights=weights)
    assert session._loss.experimental_get_tracing_count() == traced == 1


def test_work_size_is_scaled_up_to_the_output_size(content_path, style_path, weights) -> None:
    settings = tiny(content_path, style_path, iterations=2, work_size=32)
    result = transfer.run(settings, weights=weights)
    assert result.image.shape == (48, 64, 3)


def test_images_can_be_given_as_arrays(weights) -> None:
    rng = np.random.default_rng(1)
    content = rng.integers(0, 256, (30, 40, 3), dtype=np.uint8)
    style = rng.integers(0, 256, (20, 20, 3), dtype=np.uint8)
    settings = Settings(content="c", style="s", size=40, iterations=2)
    result = transfer.run(settings, content_image=content, style_image=style, weights=weights)
    assert result.image.shape == (30, 40, 3)


def test_style_init_and_texture_without_content_layers(content_path, style_path, weights) -> None:
    settings = tiny(content_path, style_path, iterations=3, init="style", content_layers={})
    result = transfer.run(settings, weights=weights)
    assert result.losses["content"] == 0.0
    assert result.image.shape == (48, 64, 3)


def test_extractor_runs_only_as_deep_as_needed(weights) -> None:
    shallow = {k: v for k, v in weights.layers.items() if k.startswith(("block1", "block2"))}
    extractor = FeatureExtractor(type(weights)(shallow, weights.source, weights.path, "x"))
    image = np.zeros((1, 32, 32, 3), np.float32)
    out = extractor(image, ("block1_conv1", "block2_conv1"))
    assert out["block1_conv1"].shape == (1, 32, 32, 64)
    assert out["block2_conv1"].shape == (1, 16, 16, 128)


def test_device_is_reported() -> None:
    assert device_description().startswith(("CPU", "GPU: "))


# The engine's modules, all of them: they must never pull in the GUI or the command line.
ENGINE_MODULES = (
    "nst.run.session", "nst.run.outcome", "nst.run.result", "nst.objective.builder",
    "nst.optim.lbfgs", "nst.optim.first_order", "nst.imaging.load", "nst.imaging.save",
    "nst.vgg.weights", "nst.settings", "nst.sweep.runner", "nst.instant.stylizer",
    "nst.history", "nst.memory",
)  # fmt: skip
# The ones the window imports at start: no TensorFlow (seconds to load), and so no argparse.
LIGHT_MODULES = (
    "nst.settings", "nst.imaging.load", "nst.imaging.resize", "nst.imaging.save",
    "nst.imaging.colour", "nst.run.inputs", "nst.run.outcome", "nst.sweep.axes",
    "nst.sweep.grid", "nst.sweep.runner", "nst.sweep.sheet", "nst.history", "nst.memory",
    "nst.vgg.layers",
)  # fmt: skip


def _imported_after(modules: tuple[str, ...], check: str) -> None:
    code = f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\n{check}\n"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_importing_the_engine_does_not_import_qt_or_the_command_line() -> None:
    # TensorFlow itself imports argparse, so only the command line's own package is checked.
    _imported_after(
        ENGINE_MODULES,
        "bad = [m for m in sys.modules if m.startswith(('PyQt5', 'PySide', 'nst_cli'))]\n"
        "assert not bad, bad",
    )


def test_the_light_engine_modules_import_neither_tensorflow_nor_argparse() -> None:
    _imported_after(
        LIGHT_MODULES,
        "bad = [m for m in ('tensorflow', 'keras', 'argparse', 'nst_cli', 'PyQt5') "
        "if m in sys.modules]\n"
        "assert not bad, bad",
    )


# --------------------------------------------------------------------------- colours


def _chroma(image: np.ndarray) -> np.ndarray:
    from nst.imaging.colour import RGB_TO_YIQ

    return (image.astype(np.float64) @ RGB_TO_YIQ.T)[..., 1:]


def test_keeping_the_photos_colours(content_path, style_path, weights) -> None:
    """Starry Night turns Tübingen blue; both colour-keeping modes keep the photo's hues."""
    results = {
        mode: transfer.run(
            tiny(content_path, style_path, colour=mode, iterations=15), weights=weights
        ).image
        for mode in ("style", "match", "luminance")
    }
    content = transfer.Transfer(tiny(content_path, style_path), weights=weights)
    content.prepare()
    photo = np.asarray(content._content_colours, dtype=np.float64)
    from PIL import Image

    h, w = results["style"].shape[:2]
    photo = np.asarray(Image.fromarray(photo.astype(np.uint8)).resize((w, h)), np.float64)

    def chroma_error(image: np.ndarray) -> float:
        return float(np.abs(_chroma(image) - _chroma(photo)).mean())

    def mean_colour_error(image: np.ndarray) -> float:
        return float(np.abs(image.reshape(-1, 3).mean(0) - photo.reshape(-1, 3).mean(0)).sum())

    # luminance only: the photo's own colour channels (up to clipping at the RGB edges)
    assert chroma_error(results["luminance"]) < 0.4 * chroma_error(results["style"])
    # the painting recoloured to the photo's statistics: the photo's overall colour
    assert mean_colour_error(results["match"]) < 0.5 * mean_colour_error(results["style"])


def test_colour_strength_moves_from_the_paintings_to_the_photos_colours(
    content_path, style_path, weights
) -> None:
    session = transfer.Transfer(tiny(content_path, style_path, iterations=5), weights=weights)
    for _ in session.steps():
        pass
    painted = session.result().image
    for strength, expected in ((0.0, painted), (1.0, None)):
        session.settings = session.settings.replace(colour_strength=strength)
        image = session.result().image
        if expected is not None:
            np.testing.assert_array_equal(image, expected)
    half = session.settings.replace(colour_strength=0.5)
    session.settings = half
    mid = session.result().image.astype(float)
    session.settings = half.replace(colour_strength=1.0)
    full = session.result().image.astype(float)
    np.testing.assert_allclose(mid, (painted + full) / 2, atol=1.01)
    assert np.abs(full - painted).mean() > 5  # the photo's colours are not the painting's


@pytest.mark.parametrize("setting", ["automatic", "bfloat16", "automatic in tiles"])
def test_bfloat16_that_lowers_the_loss_no_further_goes_on_in_float32_when_automatic(
    content_path, style_path, weights, monkeypatch, setting
) -> None:
    # At 512 px a bfloat16 run stopped as converged 0.7% above what float32 reaches
    # (bench/RESULTS.md). Here L-BFGS says so at its third step, on any CPU. A stage in
    # tiles whose memory was planned for bfloat16 stays in it, as a forced one does.
    setting, _, tiled = setting.partition(" in ")
    chosen = {"automatic": "bfloat16", "bfloat16": "bfloat16", "float32": "float32"}
    monkeypatch.setattr(transfer, "resolve", lambda s: Precision(s, chosen[s], "a test"))
    monkeypatch.setattr(transfer, "tile_kernels", lambda s: chosen[s.precision])
    calls = []

    class StallsAtTheThirdStep(LBFGS):
        def step(self, *args):
            calls.append(1)
            outcome = super().step(*args)
            return replace(outcome, converged=True) if len(calls) == 3 else outcome

    monkeypatch.setattr(stage, "LBFGS", StallsAtTheThirdStep)
    settings = tiny(content_path, style_path, size=32, stages=1, iterations=6, precision=setting)
    session = transfer.Transfer(settings, weights=weights, tiles={32: 16} if tiled else None)
    steps = collect(session)
    recipe = session.result().recipe()
    assert recipe["precision_used"] == "bfloat16"
    if setting == "bfloat16" or tiled:  # kept, and the run ends there
        assert [p.converged for p in steps] == [False, False, True]
        assert "precision_float32_from_step" not in recipe
        return
    assert len(steps) == 6 and not any(p.converged for p in steps)
    assert recipe["precision_float32_from_step"] == 3
    exact = transfer.Transfer(settings.replace(precision="float32"), weights=weights)
    exact.prepare()
    best = session.best_image()
    assert session.evaluate(best)[0] == exact.evaluate(best)[0]  # float32 from there on
    assert steps[-1].total_loss == pytest.approx(exact.evaluate(best)[0])
