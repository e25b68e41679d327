"""The window's state without Qt: what the panels show and edit, and what Run asks for.

    from gui.model import WindowModel, SettingsChanged, RunState, Phase

- window_model.py: the model (Settings, images, output folder, run state, jobs);
- events.py: the typed changes it emits; run_state.py: where a run stands;
- jobs.py: the chosen images' shape, what Run asks for (RunRequest) or why it cannot
  (NotReady); queue.py: the queue's jobs, kept in the engine's job store (its Job);
- where_runs.py: where the queue and sweeps run (this computer or a Ray cluster), one
  value both tabs bind to; batch_watch.py: a command-line batch read from its store;
- fields.py: which fields each part of the window edits, from the table's groups.

Nothing here imports Qt or TensorFlow (tests/test_window_model.py checks it).
"""

from gui.model.events import (
    Change,
    FolderChanged,
    ImagesChanged,
    JobsChanged,
    JobStep,
    RunStateChanged,
    SettingsChanged,
    SweepChanged,
)
from gui.model.fields import WINDOW_GROUPS, fields_in, window_fields
from gui.model.jobs import ChosenImage, NotReady, RunRequest
from gui.model.queue import FolderRefused, JobOutcome, QueueModel
from gui.model.run_state import Ending, Engine, Phase, RunState
from gui.model.window_model import FIELDS, IMAGE_ROLES, WindowModel
from nst.batch.store import Job

__all__ = [
    "FIELDS", "IMAGE_ROLES", "WINDOW_GROUPS", "Change", "ChosenImage", "Ending", "Engine",
    "FolderChanged", "FolderRefused",
    "ImagesChanged", "Job", "JobOutcome", "JobStep", "JobsChanged", "NotReady", "Phase",
    "QueueModel", "RunRequest", "RunState",
    "RunStateChanged", "SettingsChanged", "SweepChanged", "WindowModel", "fields_in",
    "window_fields",
]  # fmt: skip
