"""vanban: Vietnamese administrative documents (Kế hoạch, Báo cáo) from YAML.

The data flow, one subpackage per stage; a stage imports only the ones before it::

    content file ──content (source, validate)──▶ model ──compose (templates)──▶ tree
                                               tree ──render (docx, pdf)──▶ DOCX, PDF

``office`` numbers, registers and archives signed documents and records what was
issued; ``build`` runs the flow for each document that changed and never rewrites
an issued one; ``cli`` is the ``vanban`` command. At the top, shared by all:
``model``, ``tree``, ``errors``, ``style`` (the Nghị định 30 format constants both
renderers read), ``fonts``, ``vnformat``, ``workspace``, ``sandbox``, ``limits``,
``atomic``, ``faults``.
"""

__version__ = "0.1.0"
