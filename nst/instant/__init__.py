"""Instant mode: the feed-forward network (stylizer.py) and its models (models/, package data)."""
