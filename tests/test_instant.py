"""Instant mode: the networks at any size, the style controls, CLI, head start, settings.

The real int8 networks run here (nst/instant/models/); images are tiny (32-96 px) so that
each pass takes milliseconds. The first test that stylizes pays for loading them.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nst.imaging.load import load_image
from nst.imaging.resize import resize_longest, to_uint8
from nst.instant import stylizer as instant
from nst.settings import Settings, SettingsError
from nst.tf_runtime import tf
from nst_cli.main import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def content(content_path: str) -> np.ndarray:
    return resize_longest(load_image(content_path), 64)


@pytest.fixture(scope="module")
def style(style_path: str) -> np.ndarray:
    return load_image(style_path)


@pytest.fixture(scope="module")
def stylizer() -> instant.Stylizer:
    return instant.shared_stylizer()


def _original_transformer(shape: tuple[int, int]) -> tf.lite.Interpreter:
    data = (instant.MODEL_DIR / instant.TRANSFER_MODEL).read_bytes()
    # tf.lite.Interpreter warns that it moves to ai_edge_litert (as stylizer.py notes)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", r"\s*Warning: tf.lite.Interpreter", UserWarning)
        interpreter = tf.lite.Interpreter(model_content=data, num_threads=1)
    interpreter.resize_tensor_input(0, (1, *shape, 3), strict=False)
    interpreter.allocate_tensors()
    return interpreter


def _run(interpreter: tf.lite.Interpreter, image: np.ndarray, vector: np.ndarray) -> np.ndarray:
    inputs = {d["name"]: d["index"] for d in interpreter.get_input_details()}
    interpreter.set_tensor(inputs["content_image"], image[np.newaxis].astype(np.float32) / 255)
    other = next(i for n, i in inputs.items() if n != "content_image")
    interpreter.set_tensor(other, vector.reshape(1, 1, 1, -1))
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])[0]


def test_the_published_model_ignores_other_sizes(content, style, stylizer) -> None:
    # Why stylizer.py rewrites the model: resizing only the input tensor gives 384x384 back.
    image = content[:48, :64]
    out = _run(_original_transformer((48, 64)), image, stylizer.style_vector(style))
    assert out.shape == (384, 384, 3)


def test_rewritten_model_is_the_original_at_384(stylizer, style) -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (384, 384, 3), dtype=np.uint8)
    vector = stylizer.style_vector(style)
    original = _run(_original_transformer((384, 384)), image, vector)
    ours = stylizer.stylize(image, vector)
    assert np.abs(to_uint8(original * 255).astype(int) - ours).max() <= 1


@pytest.mark.parametrize("shape", [(48, 64), (37, 50), (96, 32), (16, 16)])
def test_output_has_the_input_size(stylizer, style, content, shape) -> None:
    image = np.asarray(Image.fromarray(content).resize(shape[::-1]))
    out = stylizer.stylize(image, stylizer.style_vector(style))
    assert out.shape == (*shape, 3) and out.dtype == np.uint8
    assert out.std() > 5  # a picture, not a flat colour


def test_style_strength_moves_towards_the_full_style(content, style) -> None:
    full = instant.stylize(content, [(style, 1.0)], 1.0).astype(float)

    def distance(strength: float) -> float:
        out = instant.stylize(content, [(style, 1.0)], strength)
        return float(np.abs(out.astype(float) - full).mean())

    assert distance(0.0) > distance(0.5) > distance(0.9) > 0


def test_blend_is_a_weighted_mean_then_a_mix_with_the_content() -> None:
    a, b, own = np.array([1.0, 0.0]), np.array([0.0, 1.0]), np.array([4.0, 4.0])
    np.testing.assert_allclose(instant.blend([a, b], [3, 1], None, 1.0), [0.75, 0.25])
    np.testing.assert_allclose(instant.blend([a, b], [6, 2], None, 1.0), [0.75, 0.25])
    np.testing.assert_allclose(instant.blend([a], [1], own, 0.25), [0.25 + 3.0, 3.0])
    np.testing.assert_allclose(instant.blend([a], [1], own, 0.0), own)
    with pytest.raises(ValueError):
        instant.blend([a], [0], None, 1.0)


def test_two_styles_land_between_them(content, style, samples) -> None:
    scream = load_image(samples / "the_scream.jpg")
    starry = instant.stylize(content, [(style, 1.0)], 1.0).astype(float)
    both = instant.stylize(content, [(style, 1.0), (scream, 1.0)], 1.0).astype(float)
    only_scream = instant.stylize(content, [(style, 0.0), (scream, 1.0)], 1.0).astype(float)
    assert 0 < np.abs(both - starry).mean() < np.abs(only_scream - starry).mean()


def test_pad_to_multiple_mirrors_the_edges() -> None:
    image = np.arange(5 * 6 * 3, dtype=np.uint8).reshape(5, 6, 3)
    padded = instant.pad_to_multiple(image, 4)
    assert padded.shape == (8, 8, 3)
    np.testing.assert_array_equal(padded[:5, :6], image)
    np.testing.assert_array_equal(padded[5, :6], image[4])  # mirrored, edge repeated


def test_missing_model_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(instant.RunError, match="cannot be read.*nst/instant/models"):
        instant.Stylizer(model_dir=tmp_path)


def test_too_large_is_refused_before_running(stylizer) -> None:
    image = np.zeros((8, instant.MAX_SIDE + 4, 3), np.uint8)
    with pytest.raises(instant.RunError, match="smaller size"):
        stylizer.stylize(image, np.zeros(100, np.float32))


# --- settings ---------------------------------------------------------------------------


def test_settings_validate_the_instant_fields() -> None:
    with pytest.raises(SettingsError, match="method"):
        Settings(method="fast")
    with pytest.raises(SettingsError, match="style_strength"):
        Settings(style_strength=1.5)
    with pytest.raises(SettingsError, match="extra_styles"):
        Settings(method="instant", extra_styles=[("a.jpg", -1)])
    with pytest.raises(SettingsError, match="extra_styles"):
        Settings(method="instant", extra_styles=["a.jpg"])
    # several styles with the Gatys method: allowed (blended Grams, test_creative.py)
    assert Settings(extra_styles=[("a.jpg", 1)]).extra_styles == (("a.jpg", 1.0),)
    with pytest.raises(SettingsError, match="style_image_weight"):
        Settings(method="instant", style_image_weight=0)


def test_instant_settings_round_trip_and_old_recipes_load() -> None:
    s = Settings(method="instant", style_strength=0.4, extra_styles=[("b.jpg", 0.5)])
    back = Settings.from_dict(json.loads(s.to_json()))
    assert back == s and back.extra_styles == (("b.jpg", 0.5),)
    old = json.loads(Settings().to_json())
    for name in ("method", "style_strength", "extra_styles", "style_image_weight"):
        del old[name]
    assert Settings.from_dict(old) == Settings()


# --- command line and head start --------------------------------------------------------


def test_cli_instant_saves_the_requested_size(capsys, tmp_path, content_path, style_path, samples):
    code = main(["--content", content_path, "--style", style_path, "--method", "instant",
                 "--size", "72", "--style-strength", "0.6", "--extra-style",
                 f"{samples / 'the_scream.jpg'}=0.5", "--output-dir", str(tmp_path)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    path = Path(out.strip().splitlines()[-1])
    assert Image.open(path).size == (72, 54)
    recipe = json.loads(path.with_suffix(".json").read_text())
    assert recipe["settings"]["method"] == "instant"
    assert recipe["settings"]["style_strength"] == 0.6
    assert recipe["settings"]["extra_styles"] == [[str(samples / "the_scream.jpg"), 0.5]]
    assert len(recipe["models"][instant.TRANSFER_MODEL]) == 64
    # and the recipe runs again as it is
    assert main(["--config", str(path.with_suffix(".json")), "--output-dir", str(tmp_path)]) == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--method", "instant", "--style-strength", "2"], ["--style-strength", "between 0"]),
        (["--method", "instant", "--extra-style", "x.jpg=a"], ["--extra-style", "'a'"]),
        (["--method", "instant", "--style-mask", "m.png"], ["--style-mask", "Gatys method"]),
        (["--method", "instant", "--extra-style", "nothere.jpg"], ["nothere.jpg"]),
    ],
)
def test_cli_bad_instant_options(capsys, tmp_path, content_path, style_path, args, words):
    code = main(["--content", content_path, "--style", style_path,
                 "--output-dir", str(tmp_path / "out"), *args])  # fmt: skip
    _, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), err
    for word in words:
        assert word in lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_init_instant_starts_from_the_stylization(content_path, style_path) -> None:
    from nst.run.session import Transfer

    settings = Settings(content=content_path, style=style_path, size=48, iterations=2,
                        init="instant", optimizer="adam")  # fmt: skip
    session = Transfer(settings)
    session.prepare()
    start = session.initial_image()
    assert start.shape == session.content_image.shape
    assert float(tf.reduce_mean(tf.abs(start - session.content_image))) > 10
    for _ in session.steps():
        pass
    assert session.result().image.shape[:2] == (36, 48)
