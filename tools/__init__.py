"""Developer tools: measurements behind the engine's constants (not part of the app)."""
