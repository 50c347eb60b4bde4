"""The ``vanban`` command: arguments in, Vietnamese lines out."""
