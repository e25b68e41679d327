"""Settings -> recipe -> Settings is the identity, for any valid Settings (every field,
drawn from the table), through each reader: the engine's, ``nst --config`` and History's
entries (what Re-run and Load settings take). A recipe keeps the learning rate as chosen
(None: the optimizer's default) and records the rate used beside it, so a changed
optimizer after loading gets that optimizer's own rate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

from nst.history import Entry
from nst.settings import DEFAULT_LEARNING_RATES, Settings, read_recipe
from nst.sweep.axes import cell_settings
from nst_cli.arguments import settings_from_args
from nst_cli.options import build_parser
from tests.recipes import recipe_of, saved
from tests.settings_strategy import any_settings

pytestmark = pytest.mark.fuzz


@given(any_settings())
def test_the_engine_reader_gives_back_the_settings(tmp_path_factory, settings):
    png = saved(settings, tmp_path_factory.mktemp("r"))
    for path in (png.with_suffix(".json"), png):  # the JSON, and the PNG's own copy
        loaded = read_recipe(path).load()
        assert loaded.wrong_fields == () and loaded.unknown_fields == ()
        assert loaded.settings == settings


@given(any_settings())
def test_nst_config_gives_back_the_settings(tmp_path_factory, settings):
    png = saved(settings, tmp_path_factory.mktemp("r"))
    args = build_parser().parse_args(["--config", str(png.with_suffix(".json"))])
    from_cli, warnings = settings_from_args(args)
    assert warnings == []
    assert from_cli == settings


@given(any_settings())
def test_history_gives_back_the_settings(tmp_path_factory, settings):
    png = saved(settings, tmp_path_factory.mktemp("r"))
    recipe = json.loads(png.with_suffix(".json").read_text())
    assert Entry(path=str(png), recipe=recipe, modified=0.0).settings == settings


def test_the_recipe_keeps_the_rate_as_chosen_and_records_the_rate_used():
    recipe = recipe_of(Settings(content="/a.png", style="/b.png"))
    assert recipe["settings"]["learning_rate"] is None
    assert recipe["learning_rate_used"] == DEFAULT_LEARNING_RATES["lbfgs"]
    chosen = recipe_of(Settings(content="/a.png", style="/b.png", learning_rate=0.5))
    assert chosen["settings"]["learning_rate"] == chosen["learning_rate_used"] == 0.5


def _older_recipe(folder: Path, **settings) -> Path:
    """A recipe as versions before the rate was kept as chosen wrote it: the rate used."""
    recipe = recipe_of(Settings(content="/a.png", style="/b.png", **settings))
    del recipe["learning_rate_used"]
    recipe["settings"]["learning_rate"] = Settings(**recipe["settings"]).resolved_learning_rate
    path = folder / "older.json"
    path.write_text(json.dumps(recipe))
    return path


@pytest.mark.parametrize("older", [False, True], ids=["recipe", "older recipe"])
def test_a_changed_optimizer_after_loading_gets_its_own_rate(tmp_path, older):
    """`nst --config r.json --optimizer adam` on a default (L-BFGS) run's recipe runs Adam
    at Adam's default rate, not at L-BFGS's 1; so does a sweep over optimizers."""
    if older:
        path = _older_recipe(tmp_path)
    else:
        path = saved(Settings(content="/a.png", style="/b.png"), tmp_path).with_suffix(".json")
    args = build_parser().parse_args(["--config", str(path), "--optimizer", "adam"])
    settings, _ = settings_from_args(args)
    assert settings.learning_rate is None
    assert settings.resolved_learning_rate == DEFAULT_LEARNING_RATES["adam"]
    base = read_recipe(path).load().settings
    for optimizer, rate in DEFAULT_LEARNING_RATES.items():
        cell = cell_settings(base, [("optimizer", optimizer)])
        assert cell.resolved_learning_rate == rate


def test_an_older_recipe_with_a_typed_rate_keeps_it(tmp_path):
    path = _older_recipe(tmp_path, optimizer="adam", learning_rate=2.5)
    assert read_recipe(path).load().settings.learning_rate == 2.5
