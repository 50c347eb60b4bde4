"""Stage 5: the văn thư's part after signing: numbers, the outgoing register,
the archive of signed files."""
