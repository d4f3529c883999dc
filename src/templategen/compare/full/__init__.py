"""The full comparison workbook: every answer of every respondent, as live formulas.

``writer`` writes it row by row: the item sheet every formula reads (``items``), the
overview (``overview``), the distribution per question (``distribution``), the rules as
formulas (``rules``, ``matrices``) and the disagreements between a copy's files
(``conflicts``).

May import: the shared core of compare (never compare.summary), store, office, content,
errors.
"""
