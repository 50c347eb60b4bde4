"""vanban: Vietnamese administrative documents (Kế hoạch, Báo cáo) from YAML.

The data flow, one subpackage per stage; a stage imports only the ones before it::

    content file ──content (source, validate)──▶ model ──compose (templates)──▶ tree
                                               tree ──render (docx, pdf)──▶ DOCX, PDF

``build`` runs that flow for each document that changed, ``office`` numbers,
registers and archives signed documents, ``cli`` is the ``vanban`` command. At the
top, shared by all: ``model``, ``tree``, ``errors``, ``style`` (the Nghị định 30
format constants both renderers read), ``fonts``, ``vnformat``, ``workspace``.
"""

__version__ = "0.1.0"
