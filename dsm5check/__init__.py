"""dsm5check: check coded cases against criteria sets written as YAML.

A teaching and decision-support aid, not a diagnostic device. This module is
imported by ``dsm5check --version``: keep it free of heavy imports.
"""

__version__ = "0.1.0"
