"""The Sweep tab: the form of its axes (form.py), the grid of cells (grid.py), the tab
itself (sweep_panel.py) and the worker that runs the cells (sweep_worker.py)."""
