"""Stage 3: a document tree written as DOCX (python-docx) and PDF (WeasyPrint)."""
