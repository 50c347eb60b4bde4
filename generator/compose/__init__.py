"""Stage 2: a model object through the Vietnamese templates into a
:mod:`generator.tree` (paragraphs, rules, grids, tables)."""
