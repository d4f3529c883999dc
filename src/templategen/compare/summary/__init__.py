"""The summary of a large round: figures per question, subject and rule, as values.

``counting`` has the database merge every respondent's answers (store.merged) and receives
aggregates only: how many respondents gave each value per question and subject, each score
per subject (``scores``) and each table rule's figure (``matrices``); memory grows with the
subjects and distinct values, never with the respondents. ``writer`` writes them.

It is one target of the rule kinds' definitions (content.rulekinds): ``sql`` compiles the
expression nodes (content.expr) to SQL over a respondent's merged answers, and what is added
up follows each rule's rollup (one block class per rollup, one figure per ``Stat``), never
its kind.

May import: the shared core of compare (never compare.full), store, content, errors.
"""
