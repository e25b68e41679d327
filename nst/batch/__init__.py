"""Batches: every photo in every style, kept in a job store a killed process cannot corrupt.

- store.py: the SQLite job store (one transaction per state change), shared with a queue;
- plan.py: the paths the user named -> the items (photo, style) of a batch;
- runner.py: running the waiting items, batch.json and the contact sheet.
"""
