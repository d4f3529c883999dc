"""The summary of a large round: figures per question, subject and rule, as values.

``writer`` reads each respondent once and adds up running sums: scores per subject
(``scores``) and the table rules' figures (``matrices``), in constant memory.

It is one target of the rule kinds' definitions (content.rulekinds): each respondent's
figures are the definitions evaluated (content.scoring), and what is added up follows each
rule's rollup (content.expr: one block class per rollup, one figure per ``Stat``), never its
kind. A SQL form of the aggregation (#23) is one more target alongside: the expression nodes
compiled to SQL over the store's answers, each ``Stat`` and the score statistics (count,
mean, lowest, highest, standard deviation) to aggregates.

May import: the shared core of compare (never compare.full), store, content, errors.
"""
