-- The console's own session store (src/identity/sessions.rs) replaces the session store crate's
-- table: each session row names the user it signed in, so a request reads its session and its
-- caller in one query. Sessions in the old table end: whoever was signed in signs in once more.
DROP TABLE IF EXISTS tower_sessions;

CREATE TABLE console_sessions (
    id               TEXT PRIMARY KEY NOT NULL,
    -- The record's data as JSON, without the principal (read fresh on every load).
    data             TEXT NOT NULL,
    -- Unix seconds.
    expiry_date      INTEGER NOT NULL,
    -- Who signed in, and with which credential version (NULL before a sign-in).
    user_id          INTEGER,
    session_version  INTEGER
);

CREATE INDEX console_sessions_by_expiry ON console_sessions (expiry_date);
