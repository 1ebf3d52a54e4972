"""Signed webhooks for CRMs: organisations subscribe URLs to event types; the services that
change things call :func:`webhooks.service.emit` in their own transaction (a transactional
outbox: an event exists if and only if its change committed); :class:`WebhookService`
POSTs each pending delivery, signed with HMAC-SHA256 (:mod:`webhooks.signing`), and retries
failures with exponential backoff for 24 hours. Delivery is at least once; receivers
de-duplicate by the event id. See docs/webhooks.md."""
