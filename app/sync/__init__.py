"""Sync orchestration: the pure planner and the engine that does the I/O around it."""
