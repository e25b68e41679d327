"""The Batch tab: a batch that the command line runs (``nst batch``), watched read-only
from the window. Its items, counts and contact sheet (batch_panel.py), how it words them
(words.py), and what the window adds: the folder chooser and the tab that comes and goes
(window_batch.py). The batch's state is the model's (gui/model/batch_watch.py)."""
