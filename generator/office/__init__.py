"""Stage 4: the văn thư's records: numbers, the outgoing register, what was issued
(never rewritten), the archive of signed files. Before ``build``, which consults
them."""
