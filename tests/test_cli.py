"""The command line: outputs, recipes, progress and every error path."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from nst.imaging.save import read_recipe_from_png, save_result
from nst.settings import Settings, strength_to_ratio

pytestmark = pytest.mark.slow

FAST = ["--size", "40", "--iterations", "3"]


def images(content: str, style: str, out_dir: Path) -> list[str]:
    """The options every run needs: the two images and the output folder."""
    return ["--content", content, "--style", style, "--output-dir", str(out_dir)]


def test_a_run_saves_png_and_recipe_and_prints_the_path_last(
    run_cli, tmp_path, content_path, style_path
) -> None:
    code, out, err = run_cli(
        *images(content_path, style_path, tmp_path),
        *FAST,
        "--style-layers",
        "block1_conv1=1,block2_conv1=0.5",
        "--optimizer",
        "adam",
    )
    assert code == 0, err
    path = Path(out.strip().splitlines()[-1])
    assert path == tmp_path / "tubingen_starry_night_001.png"
    assert Image.open(path).size == (40, 30)
    recipe = json.loads(path.with_suffix(".json").read_text())
    assert recipe == read_recipe_from_png(path)
    s = recipe["settings"]
    assert s["style_layers"] == {"block1_conv1": 1.0, "block2_conv1": 0.5}
    # the rate as chosen (the optimizer's default: None), and the rate the run used
    assert s["optimizer"] == "adam" and s["learning_rate"] is None and s["iterations"] == 3
    assert recipe["learning_rate_used"] == 4.0
    assert s["content"] == content_path
    assert len(recipe["weights"]["sha256"]) == 64 and recipe["weights"]["source"]
    assert {"tensorflow", "numpy", "pillow"} <= set(recipe["versions"])
    assert recipe["device"] and recipe["duration_s"] > 0
    assert set(recipe["final_losses"]) == {"total", "content", "style", "tv"}
    # stderr is not a terminal here: plain progress lines, one per reported step
    assert "step 3/3" in err
    assert "Traceback" not in err


def test_never_overwrites_and_reruns_a_recipe_with_overrides(
    run_cli, tmp_path, content_path, style_path
) -> None:
    first = tmp_path / "tubingen_starry_night_001.png"
    first.write_bytes(b"a user's file")
    code, out, _ = run_cli(*images(content_path, style_path, tmp_path), *FAST)
    assert code == 0
    second = Path(out.strip().splitlines()[-1])
    assert second.name == "tubingen_starry_night_002.png"
    assert first.read_bytes() == b"a user's file"
    # rerun from the recipe written beside it, changing one setting
    code, out, err = run_cli(
        "--config",
        str(second.with_suffix(".json")),
        "--output-dir",
        str(tmp_path),
        "--iterations",
        "2",
    )
    assert code == 0, err
    third = Path(out.strip().splitlines()[-1])
    recipe = json.loads(third.with_suffix(".json").read_text())["settings"]
    assert third.name == "tubingen_starry_night_003.png"
    assert recipe["iterations"] == 2 and recipe["size"] == 40


def assert_one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for word in words:
        assert word in lines[0]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--size", "abc"], ["--size", "abc"]),
        (["--size", "4"], ["--size", "between 16"]),
        (["--optimizer", "newton"], ["--optimizer", "newton"]),
        (["--style-layers", "block9_conv1=1"], ["--style-layers", "block9_conv1"]),
        (["--style-layers", "block1_conv1=x"], ["--style-layers", "'x'"]),
        (["--content-layers", "block4_conv2=-1"], ["--content-layers", "0 or more"]),
        (["--learning-rate", "-1"], ["--learning-rate", "above 0"]),
        (["--iterations", "0"], ["--iterations"]),
        (["--init", "zeros"], ["--init"]),
        (["--bogus"], ["--bogus"]),
    ],
)
def test_bad_option_values(run_cli, tmp_path, content_path, style_path, args, words) -> None:
    out_dir = tmp_path / "out"
    result = run_cli(*images(content_path, style_path, out_dir), *args)
    assert_one_line_error(*result, *words)
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_missing_required_options(run_cli, tmp_path, style_path) -> None:
    assert_one_line_error(
        *run_cli("--style", style_path, "--output-dir", str(tmp_path)), "--content"
    )
    assert_one_line_error(*run_cli("--content", style_path, "--style", style_path), "--output-dir")


def bad_inputs(tmp_path: Path, good: str) -> dict[str, tuple[str, str]]:
    """name -> (content path, words the message must hold)."""
    text = tmp_path / "notes.jpg"
    text.write_text("this is not a picture")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    truncated = tmp_path / "cut.jpg"
    truncated.write_bytes(Path(good).read_bytes()[:3000])
    folder = tmp_path / "a_folder.jpg"
    folder.mkdir()
    return {
        "missing": (str(tmp_path / "nope.jpg"), "nope.jpg"),
        "not an image": (str(text), "notes.jpg"),
        "empty": (str(empty), "empty.png"),
        "truncated": (str(truncated), "cut.jpg"),
        "folder": (str(folder), "a_folder.jpg"),
    }


def test_bad_image_files_are_refused_without_leaving_files(
    run_cli, tmp_path, content_path, style_path
) -> None:
    out_dir = tmp_path / "results"
    for path, words in bad_inputs(tmp_path, content_path).values():
        result = run_cli(*images(path, style_path, out_dir), *FAST)
        assert_one_line_error(*result, words)
        result = run_cli(*images(content_path, path, out_dir), *FAST)
        assert_one_line_error(*result, words, "style image")
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_unwritable_output_folder(run_cli, tmp_path, content_path, style_path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = run_cli(*images(content_path, style_path, a_file), *FAST)
    assert_one_line_error(*result, "file.txt")
    assert a_file.read_text() == "x"


def test_bad_recipe_files(run_cli, tmp_path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = run_cli("--config", str(broken), "--output-dir", str(tmp_path))
    assert_one_line_error(*result, "broken.json", "not valid JSON")
    result = run_cli("--config", str(tmp_path / "gone.json"), "--output-dir", str(tmp_path))
    assert_one_line_error(*result, "gone.json", "does not exist")
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"settings": {"size": "big", "content": "a", "style": "b"}}))
    result = run_cli("--config", str(wrong), "--output-dir", str(tmp_path))
    assert_one_line_error(*result, "--size", "whole number")


def test_bad_weights_file(run_cli, tmp_path, content_path, style_path) -> None:
    fake = tmp_path / "weights.h5"
    fake.write_bytes(os.urandom(1000))
    result = run_cli(*images(content_path, style_path, tmp_path / "out"), "--weights",
                     str(fake), *FAST)  # fmt: skip
    assert_one_line_error(*result, "weights.h5")


def test_as_a_real_process(tmp_path, content_path, style_path) -> None:
    """python -m nst itself: exit codes, no traceback, the path last on stdout."""
    env = dict(os.environ)
    root = Path(__file__).resolve().parent.parent
    env["PYTHONPATH"] = str(root)

    def nst(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "nst", *args]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path)

    ok = nst(*images(content_path, style_path, tmp_path), "--size", "32", "--iterations", "2")
    assert ok.returncode == 0, ok.stderr
    assert Path(ok.stdout.strip().splitlines()[-1]).is_file()
    bad = nst(*images("missing.jpg", style_path, tmp_path))
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith("error: ") and "Traceback" not in bad.stderr
    assert "missing.jpg" in bad.stderr


# --------------------------------------------------------------------------- recipe paths


def parse(*args: str):
    from nst_cli.arguments import settings_from_args
    from nst_cli.options import build_parser

    return settings_from_args(build_parser().parse_args(list(args)))[0]


def test_recipe_paths_are_relative_to_the_recipe_folder(tmp_path, monkeypatch) -> None:
    """One rule everywhere: a recipe's relative paths are taken from the recipe's folder,
    so a folder of results moved with its images keeps working from any current folder."""
    moved = tmp_path / "moved"
    moved.mkdir()
    recipe = moved / "recipe.json"
    settings = {
        "content": "photo.jpg",
        "style": "art/paint.jpg",
        "extra_styles": [["more.jpg", 0.5]],
        "style_masks": ["masks/a.png", ""],
        "weights": "vgg.h5",
    }
    recipe.write_text(json.dumps({"settings": settings}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "photo.jpg").write_bytes(b"a decoy in the current folder")
    monkeypatch.chdir(elsewhere)
    s = parse("--config", str(recipe))
    assert s.content == str(moved / "photo.jpg")
    assert s.style == str(moved / "art" / "paint.jpg")
    assert s.extra_styles == ((str(moved / "more.jpg"), 0.5),)
    assert s.style_masks == (str(moved / "masks" / "a.png"), "")
    assert s.weights == str(moved / "vgg.h5")
    # options typed on the command line are the user's: relative to the current folder
    s = parse("--config", str(recipe), "--content", "photo.jpg")
    assert s.content == str(elsewhere / "photo.jpg")
    assert s.style == str(moved / "art" / "paint.jpg")


def test_a_moved_results_folder_reruns(run_cli, tmp_path, monkeypatch, content_path,
                                       style_path) -> None:  # fmt: skip
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(content_path, first / "photo.jpg")
    shutil.copy(style_path, first / "paint.jpg")
    (first / "recipe.json").write_text(
        json.dumps({"content": "photo.jpg", "style": "paint.jpg", "size": 32, "iterations": 2})
    )
    moved = tmp_path / "moved"
    shutil.move(first, moved)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("--config", str(moved / "recipe.json"), "--output-dir", "out")
    assert code == 0, err
    assert Path(out.strip().splitlines()[-1]).is_file()


def test_a_result_png_is_a_recipe_too(tmp_path) -> None:
    recipe = {"settings": {"content": "photo.jpg", "style": "/abs/paint.jpg", "size": 64}}
    png = save_result(np.zeros((8, 8, 3), np.uint8), tmp_path, "result", recipe)
    png.with_suffix(".json").unlink()
    s = parse("--config", str(png))
    assert s.content == str(tmp_path / "photo.jpg") and s.style == "/abs/paint.jpg"
    assert s.size == 64


# --------------------------------------------------------------------------- strength


def test_style_strength_with_the_instant_head_start_sets_both() -> None:
    """--init instant: the strength is the head start's (Settings.style_strength) and, for
    the optimization that follows, the style weight, as with any Gatys run."""
    s = parse("--content", "c.jpg", "--style", "s.jpg", "--init", "instant",
              "--style-strength", "0.25")  # fmt: skip
    assert s.style_strength == 0.25
    assert s.style_weight == pytest.approx(strength_to_ratio(0.25))
    s = parse("--content", "c.jpg", "--style", "s.jpg", "--style-strength", "0.25")
    assert s.style_weight == pytest.approx(strength_to_ratio(0.25))
    s = parse("--content", "c.jpg", "--style", "s.jpg", "--method", "instant",
              "--style-strength", "0.25")  # fmt: skip
    assert s.style_strength == 0.25 and s.style_weight == Settings().style_weight


# --------------------------------------------------------------------------- options


# Every option of the command line before its options were generated from the table.
OLD_OPTIONS = (
    "--content --style --output-dir --config --method --style-strength --extra-style "
    "--style-mask --style-image-weight --size --work-size --style-scale --style-size "
    "--texture-aspect --iterations --optimizer --learning-rate --content-layers "
    "--style-layers --content-weight --style-weight --tv-weight --precision --stages "
    "--colour --colour-strength --init --seed --weights --quiet --verbose --version"
).split()


def test_every_setting_is_an_option_and_the_old_ones_remain(capsys) -> None:
    from nst.settings import FIELDS
    from nst_cli.option_words import option_of, words_of
    from nst_cli.options import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    text = capsys.readouterr().out
    for option in OLD_OPTIONS:
        assert option in text, option
    for spec in FIELDS:
        assert words_of(spec).hidden or option_of(spec) in text, spec.name
    s = parse("--content", "c.jpg", "--style", "s.jpg", "--extra-style", "x.jpg=0.5",
              "--extra-style", "y.jpg", "--style-mask", "a.png", "--style-mask", "rest",
              "--style-mask", "b.png", "--texture-aspect", "16:9", "--preview-every", "3",
              "--style-layers", "block1_conv1=1,block2_conv1")  # fmt: skip
    assert [w for _, w in s.extra_styles] == [0.5, 1.0] and s.style_masks[1] == ""
    assert s.texture_aspect == pytest.approx(16 / 9) and s.preview_every == 3
    assert dict(s.style_layers) == {"block1_conv1": 1.0, "block2_conv1": 1.0}
    assert s.content == os.path.abspath("c.jpg")
