"""Mail: send each recipient their copies, collect the replies, see who is missing.

kit (find the copies by their custom properties) -> compose (the Jinja2 mail template) ->
transport (drafts or SMTP) with every message logged in the store (send); collecting mail
files, mbox, Maildir and IMAP with each attachment through returned's per-file pipeline;
status and remind.

May import: returned (the per-file pipeline, the safe archive), store, office, content,
errors.
"""
