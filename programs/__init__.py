"""Ambassador programs: cadence, deliverables, reminders, renewals, compliance re-checks and
reports; the scheduler of ``jobs/`` runs their tick."""
