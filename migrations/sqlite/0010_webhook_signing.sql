-- Webhook deliveries are signed with a per-account secret (HMAC-SHA256 of the body), and the
-- Notifications settings show the last delivery's time and result.
ALTER TABLE account_settings ADD COLUMN webhook_secret TEXT;
ALTER TABLE webhook_outbox ADD COLUMN last_attempt_at INTEGER;
CREATE INDEX webhook_outbox_last_attempt ON webhook_outbox (account_id, last_attempt_at);
