-- Audit events (SPEC §10): one row per state change or refused attempt, written in the same
-- transaction as the change (a refusal in its own). The workspace is kept by name, so events
-- outlive a purge. Append-only: no statement may change an event (the trigger refuses any UPDATE);
-- the purge job's pass deletes events older than 180 days.
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    at          INTEGER NOT NULL,
    user_name   TEXT NOT NULL COLLATE NOCASE,
    action      TEXT NOT NULL,
    workspace   TEXT NOT NULL DEFAULT '' COLLATE NOCASE,
    source      TEXT NOT NULL CHECK (source IN ('Console', 'API', 'System')),
    client_ip   TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL CHECK (result IN ('Success', 'Denied', 'Failed')),
    message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_newest ON audit_events (account_id, id);
CREATE INDEX audit_events_by_action ON audit_events (account_id, action, id);
CREATE INDEX audit_events_by_user ON audit_events (account_id, user_name, id);
CREATE INDEX audit_events_by_workspace ON audit_events (account_id, workspace, id);
CREATE INDEX audit_events_by_time ON audit_events (at);
CREATE TRIGGER audit_events_append_only BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

-- Who deleted a Recycle Bin entry, by id, so the warnings reach that user (deleted_by keeps the name).
ALTER TABLE workspaces ADD COLUMN deleted_by_id INTEGER;

-- Notifications (SPEC §11): one row per Recycle Bin entry (workspace_id, deleted_at), person and
-- kind. The unique key makes every job pass idempotent, whichever instance runs it and however far
-- the clock jumped. workspace_id has no foreign key: the notice outlives the purge.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id  INTEGER NOT NULL,
    deleted_at    INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('Warning7Days', 'Warning1Day', 'Purged')),
    workspace     TEXT NOT NULL,
    purge_at      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    read_at       INTEGER,
    UNIQUE (user_id, workspace_id, deleted_at, kind)
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);

-- The root's settings for the account: the webhook every notice is POSTed to.
CREATE TABLE account_settings (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    webhook_url  TEXT
);

-- Webhook deliveries waiting or done: one per notice, written with it. Any instance's worker
-- claims due rows (next_attempt_at), POSTs them, and on failure sets the next try with backoff,
-- until a 2xx or 24 hours after created_at.
CREATE TABLE webhook_outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    notification_id  INTEGER NOT NULL UNIQUE REFERENCES notifications(id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    url              TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT NOT NULL DEFAULT '',
    done_at          INTEGER,
    outcome          TEXT CHECK (outcome IN ('Delivered', 'GaveUp'))
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE done_at IS NULL;
