"""Outreach: personalised emails, campaign briefs and contracts (jinja2) that carry the
disclosure duties, and outreach sequences. Built by issue 5; nothing here yet."""
