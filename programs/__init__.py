"""Ambassador programs: cadence, deliverables, reminders, renewals, compliance re-checks and
reports, driven by the scheduler. Built by issue 6; nothing here yet."""
