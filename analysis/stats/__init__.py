"""Statistics core: pure functions over pandas DataFrames (no Django)."""
