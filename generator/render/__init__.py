"""Stage 3: a document tree written as DOCX (python-docx) and PDF (WeasyPrint).

Other stages name a format, never a renderer module: ``renderer("pdf")(tree, path)``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Callable

# Each format and where its renderer lives, imported when first used: WeasyPrint
# alone takes ~0.5 s to import, which a build with nothing to do (or a ``check``)
# should not pay.
RENDERERS = {"docx": ("docx", "render_docx"), "pdf": ("pdf", "render_pdf")}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str) -> Callable[..., None]:
    module, function = RENDERERS[fmt]
    return getattr(import_module(f"{__name__}.{module}"), function)
