"""A run: the session (session.py), its inputs, targets, clock, result, and its saving."""
