"""Gatys-style neural style transfer engine: TensorFlow + NumPy, never Qt."""

__version__ = "0.1.0"
