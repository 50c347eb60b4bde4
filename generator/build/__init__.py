"""Stage 4: what to rebuild, the worker processes, one document's outputs
(a unit of work) written atomically."""
