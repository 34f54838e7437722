"""Risk engine."""
