"""The support-queue export: cases handed to each configured target exactly once.

- :mod:`triage.export.targets` — the targets and their rules (which cases go where);
- :mod:`triage.export.ledger` — the ledger's policy (what is due, backoff);
- :mod:`triage.export.payload` — what a delivery says about a case;
- :mod:`triage.export.senders` — webhook, email, file and helpdesk deliveries;
- :mod:`triage.export.mail` — the email messages and the SMTP client;
- :mod:`triage.export.run` — one export run: claim, deliver, record.

Imports nothing itself, so a module can import one part without loading the others.
"""
