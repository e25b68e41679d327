"""The window's work off the GUI thread: the one worker base (base.py), the run's worker
(run_worker.py) and what starts and stops it (run_control.py), the run's typed phases
(run_phases.py), and the instant preview's pool (instant_preview.py). TensorFlow is only
ever imported on these threads."""
