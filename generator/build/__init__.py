"""Stage 5: what to rebuild, the worker processes, one document's outputs (a unit of
work) written atomically, never over an issued document's files."""
