"""Stage 1: a content file read (YAML 1.2, with the line of every value),
checked field by field and turned into a :mod:`generator.model` object;
batches (one document per row) and reports on a plan."""
