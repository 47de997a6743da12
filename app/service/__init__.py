"""Service-side orchestration: one sync per sheet at a time, across threads and processes."""
