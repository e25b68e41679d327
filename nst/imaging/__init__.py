"""Images in and out: load (safely, upright), resize, save (atomically), keep colours."""
