"""A run's settings: the Settings dataclass, its table of fields, and recipe files.

    from nst.settings import Settings, SettingsError, field_names, read_recipe

- model.py: the frozen dataclass (defaults, cross-field checks, JSON);
- fields.py: ONE table of the fields (type, range or choices, help, option spelling);
- checks.py: the checks of one value; text.py: settings written as option text;
- constants.py, strength.py: the choices and limits, the strength slider's mapping;
- recipe.py: reading a recipe (.json or a result PNG), its paths relative to its folder.
"""

from nst.settings.checks import SettingsError
from nst.settings.constants import (
    COARSE_STAGE_SHARE,
    COARSEST_SIZE,
    COLOURS,
    DEFAULT_LEARNING_RATES,
    INITS,
    MAX_ASPECT,
    MAX_ITERATIONS,
    MAX_SIZE,
    MAX_STAGES,
    MAX_STYLE_SCALE,
    METHODS,
    MIN_SIZE,
    MIN_STYLE_SCALE,
    OPTIMIZERS,
    PRECISIONS,
    TEXTURE_COARSE_SHARE,
    TEXTURE_COARSEST_SIZE,
)
from nst.settings.fields import FIELDS, FieldSpec, field_names, field_spec, sweepable_fields
from nst.settings.model import Settings, default, texture_dims
from nst.settings.recipe import LoadedRecipe, RecipeError, RecipeRead, read_recipe
from nst.settings.strength import (
    STRENGTH_KNOTS,
    STRENGTH_LOG_HIGH,
    STRENGTH_LOG_LOW,
    ratio_to_strength,
    strength_to_ratio,
)

__all__ = [
    "COARSE_STAGE_SHARE", "COARSEST_SIZE", "COLOURS",
    "DEFAULT_LEARNING_RATES", "FIELDS", "INITS", "MAX_ASPECT", "MAX_ITERATIONS", "MAX_SIZE",
    "MAX_STAGES", "MAX_STYLE_SCALE", "METHODS", "MIN_SIZE",
    "MIN_STYLE_SCALE", "OPTIMIZERS", "PRECISIONS",
    "STRENGTH_KNOTS", "STRENGTH_LOG_HIGH", "STRENGTH_LOG_LOW", "TEXTURE_COARSE_SHARE",
    "TEXTURE_COARSEST_SIZE", "FieldSpec", "LoadedRecipe", "RecipeError", "RecipeRead",
    "Settings", "SettingsError", "default", "field_names", "field_spec", "ratio_to_strength",
    "read_recipe", "strength_to_ratio", "sweepable_fields", "texture_dims",
]  # fmt: skip
