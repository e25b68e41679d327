"""File > Load recipe and Save recipe: the dialogs, and the messages when a file fails.

Reading and writing a recipe is the engine's (nst.settings.recipe, nst.imaging.export);
this module only asks where and tells the user how it went.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PyQt5.QtWidgets import QFileDialog, QMessageBox, QWidget

from gui.labels import describe_settings_error
from nst.errors import NstError
from nst.imaging.export import write_text_atomic
from nst.settings import Settings, SettingsError, read_recipe

if TYPE_CHECKING:
    from gui.app_settings import AppSettings
    from gui.panels.status_panel import StatusPanel

_FOLDER_KEY = "dialogs/recipe_folder"  # where the last recipe was loaded or saved


class RecipeHost(Protocol):
    """The window the dialogs serve: where they open, and what they show and read."""

    store: AppSettings
    status_panel: StatusPanel

    @property
    def is_running(self) -> bool: ...
    def apply_settings(self, settings: Settings) -> None: ...
    def current_settings(self) -> Settings: ...
    def show_message(self, title: str, text: str, icon: Any = ...) -> Any: ...


class RecipeDialogs:
    def __init__(self, window: RecipeHost, parent: QWidget) -> None:
        self.window = window
        self.parent = parent  # the dialogs' parent widget

    def load_dialog(self) -> None:
        store = self.window.store
        path, _ = QFileDialog.getOpenFileName(
            self.parent,
            "Load a recipe",
            store.get(_FOLDER_KEY),
            "Recipes (*.json);;Results with a recipe (*.png);;All files (*)",
        )
        if path:
            store.set(_FOLDER_KEY, os.path.dirname(path))
            self.load(path)

    def load(self, path: str) -> bool:
        """Show a recipe's settings; a message says what could not be used."""
        window = self.window
        if window.is_running:
            return False
        try:
            loaded = read_recipe(path).load()
        except NstError as exc:
            window.show_message("Cannot load the recipe", str(exc))
            return False
        window.apply_settings(loaded.settings)
        name = os.path.basename(path)
        warning = loaded.warning(name)
        if warning:
            window.show_message("Recipe loaded with warnings", warning, QMessageBox.Information)
        window.status_panel.message(f"Loaded the recipe {name}.", 8000)
        return True

    def save_dialog(self) -> None:
        store = self.window.store
        start = os.path.join(store.get(_FOLDER_KEY) or str(Path.home()), "recipe.json")
        path, _ = QFileDialog.getSaveFileName(
            self.parent, "Save the settings as a recipe", start, "Recipes (*.json)"
        )
        if not path:
            return
        if not path.lower().endswith(".json"):
            path += ".json"
        store.set(_FOLDER_KEY, os.path.dirname(path))
        self.save(path)

    def save(self, path: str) -> bool:
        window = self.window
        try:
            settings = window.current_settings()
        except SettingsError as exc:
            window.show_message("Cannot save the recipe", describe_settings_error(exc))
            return False
        try:
            write_text_atomic(path, settings.to_json() + "\n")
        except NstError as exc:
            window.show_message("Cannot save the recipe", str(exc))
            return False
        window.status_panel.message(f"Saved the recipe {os.path.basename(path)}.", 8000)
        return True
