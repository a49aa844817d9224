-- Purge protection (SPEC §15a): while the account's root keeps it on, no entry leaves the Recycle
-- Bin early; only Recover or the end of its 14 days take it out.
ALTER TABLE account_settings ADD COLUMN purge_protection INTEGER NOT NULL DEFAULT 0;

-- Part three's notices are not all about one Recycle Bin entry: "purge protection was turned
-- off" is about the account, and "downstream nodes lost their upstream" (§16) names nodes. So a
-- notice may have no entry (workspace_id, deleted_at, purge_at empty) and carries a detail.
-- SQLite changes neither a CHECK nor a NOT NULL in place: the table is rebuilt, and with it the
-- webhook outbox that refers to it (dropped first, so that no delivery is removed by a cascade),
-- every row, id and AUTOINCREMENT counter kept.
CREATE TABLE webhook_outbox_kept AS SELECT * FROM webhook_outbox;
CREATE TABLE sequence_kept AS SELECT name, seq FROM sqlite_sequence
    WHERE name IN ('notifications', 'webhook_outbox');
DROP TABLE webhook_outbox;

CREATE TABLE notifications_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id  INTEGER,
    deleted_at    INTEGER,
    kind          TEXT NOT NULL CHECK (kind IN ('Warning7Days', 'Warning1Day', 'Purged',
                                                'PurgeProtectionOff', 'UpstreamLost')),
    workspace     TEXT NOT NULL DEFAULT '',
    purge_at      INTEGER,
    created_at    INTEGER NOT NULL,
    read_at       INTEGER,
    detail        TEXT NOT NULL DEFAULT '',
    UNIQUE (user_id, workspace_id, deleted_at, kind)
);
INSERT INTO notifications_new
    (id, account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at, read_at)
    SELECT id, account_id, user_id, workspace_id, deleted_at, kind, workspace, purge_at, created_at, read_at
    FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_by_user ON notifications (user_id, id);

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
    outcome          TEXT CHECK (outcome IN ('Delivered', 'GaveUp')),
    last_attempt_at  INTEGER
);
INSERT INTO webhook_outbox
    (id, notification_id, account_id, url, body, created_at, attempts, next_attempt_at,
     last_error, done_at, outcome, last_attempt_at)
    SELECT id, notification_id, account_id, url, body, created_at, attempts, next_attempt_at,
           last_error, done_at, outcome, last_attempt_at
    FROM webhook_outbox_kept;
DROP TABLE webhook_outbox_kept;
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE done_at IS NULL;
CREATE INDEX webhook_outbox_last_attempt ON webhook_outbox (account_id, last_attempt_at);

-- Ids are never handed out twice (a receiver de-duplicates deliveries by the notice's id).
DELETE FROM sqlite_sequence WHERE name IN ('notifications', 'webhook_outbox');
INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM sequence_kept;
DROP TABLE sequence_kept;
