"""vanban: Vietnamese administrative documents (Kế hoạch, Báo cáo) from YAML.

The data flow, one module per stage::

    content file ──source──▶ validate ──▶ model ──compose (templates)──▶ tree
                                                         tree ──▶ render_docx / render_pdf

``style`` holds the Nghị định 30 format constants both renderers read.
"""

__version__ = "0.1.0"
