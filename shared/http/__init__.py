"""HTTP conventions shared by every function: problems, dispatch, pagination, logging."""
