"""The History tab: the results in the output folder (history_panel.py), a result's details
in the window's words (details.py), two results side by side (compare.py), and the
thumbnails decoded off the GUI thread (thumbnails.py)."""
