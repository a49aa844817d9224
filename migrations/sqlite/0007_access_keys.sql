-- AccessKeys (SPEC §12): key_id is public; only an argon2 hash of the secret is kept. A key acts
-- as its user; deleting the user deletes its keys.
CREATE TABLE access_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id       TEXT NOT NULL UNIQUE,
    account_id   INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_hash  TEXT NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   INTEGER NOT NULL
);
CREATE INDEX access_keys_by_user ON access_keys (user_id);
CREATE INDEX access_keys_by_account ON access_keys (account_id);

-- Idempotency-Key answers of the API: per AccessKey and key, the request's fingerprint and, once
-- it finished with less than 500, its status and body; kept 24 hours.
CREATE TABLE idempotency_keys (
    access_key   TEXT NOT NULL,
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    status       INTEGER,
    body         TEXT,
    PRIMARY KEY (access_key, key)
);
CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at);
