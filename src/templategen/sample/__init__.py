"""Sample: the demo's respondents. Plausible answers (``answers``) typed into built forms and
workbooks the way Word and Excel save them (``fill``; ``fill.answer_copies`` is the demo's
one call). The tests' simulator (typed answers, UNO typing) is in tests/support, not here.

May import: office, content, errors (never returned: it writes copies, it does not read them).
"""
