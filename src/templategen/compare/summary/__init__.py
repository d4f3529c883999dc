"""The summary of a large round: figures per question, subject and rule, as values.

``writer`` reads each respondent once and adds up running sums: scores per subject
(``scores``) and the table rules' figures (``matrices``), in constant memory.

May import: the shared core of compare (never compare.full), store, content, errors.
"""
