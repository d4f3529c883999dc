"""Compare: the comparison workbook in two layouts over a shared core.

``workbook`` picks the layout: ``full`` (every answer of every respondent, live formulas:
overview, distribution, items, matrices, disagreements) or ``summary`` (a large round's
figures as values, added up in constant memory). Both write their sheets with the shared
core: ``data`` (one merge of a copy's files; whether a value fits is content.answerchecks),
``labels``, ``ranking``, ``cells``, ``sheet``, ``printing`` and the sheets both hold
(``open_answers``, ``provenance``, ``response``). The two layouts never import each other,
and the core imports neither (import-linter contracts in pyproject.toml).

May import: store, office, content, errors.
"""
