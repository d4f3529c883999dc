"""Content: the YAML instruments -> one frozen model (the contract every other stage uses).

Loading with line numbers, the schema and its checks, scoring rules, recipients, Jinja2
placeholders, what identifies a copy, and where the bundled content and house style live.
May import: ``templategen.errors`` only.
"""
