-- Identifiers are never reused (AUTOINCREMENT): a stale session, page or script that names a
-- deleted user, workspace, asset or task can never reach a newer object that got its number.
-- SQLite cannot add AUTOINCREMENT in place, and migrations run in a transaction with foreign keys
-- on, so no parent table may be dropped while a table that cascades from it still points at it:
-- 1. the old tables are renamed (SQLite rewrites the references between them to the new names);
-- 2. the new tables are created under the old names and filled, parents first;
-- 3. the two tables that only point at others are rebuilt to point at the new ones;
-- 4. the old tables are dropped, children first, so no cascade reaches a new table.
ALTER TABLE accounts RENAME TO accounts_old;
ALTER TABLE users RENAME TO users_old;
ALTER TABLE workspaces RENAME TO workspaces_old;
ALTER TABLE assets RENAME TO assets_old;
ALTER TABLE node_versions RENAME TO node_versions_old;
ALTER TABLE tasks RENAME TO tasks_old;

CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at  INTEGER NOT NULL
);
INSERT INTO accounts SELECT id, name, created_at FROM accounts_old;

-- session_version: bumped whenever a credential changes; a session signed in with an older
-- version is no longer valid.
CREATE TABLE users (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id       INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name             TEXT NOT NULL COLLATE NOCASE,
    is_root          INTEGER NOT NULL DEFAULT 0,
    password_hash    TEXT NOT NULL,
    created_at       INTEGER NOT NULL,
    session_version  INTEGER NOT NULL DEFAULT 0,
    UNIQUE (account_id, name)
);
INSERT INTO users (id, account_id, name, is_root, password_hash, created_at)
    SELECT id, account_id, name, is_root, password_hash, created_at FROM users_old;

-- purge_started_at: set when a permanent deletion begins; the entry is then gone from the
-- Recycle Bin for every action while its rows are removed in bounded batches.
CREATE TABLE workspaces (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id        INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name              TEXT NOT NULL COLLATE NOCASE,
    display_name      TEXT NOT NULL,
    description       TEXT NOT NULL DEFAULT '',
    data_modeling     INTEGER NOT NULL DEFAULT 0,
    created_by        TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    deleted_at        INTEGER,
    deleted_by        TEXT,
    purge_at          INTEGER,
    binned_counts     TEXT,
    purge_started_at  INTEGER,
    UNIQUE (account_id, name)
);
INSERT INTO workspaces (id, account_id, name, display_name, description, data_modeling, created_by,
                            created_at, deleted_at, deleted_by, purge_at, binned_counts)
    SELECT id, account_id, name, display_name, description, data_modeling, created_by,
           created_at, deleted_at, deleted_by, purge_at, binned_counts FROM workspaces_old;

CREATE TABLE assets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id  INTEGER NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    product       TEXT NOT NULL CHECK (product IN ('DataWorks', 'PAI')),
    name          TEXT NOT NULL,
    subtype       TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    code          TEXT NOT NULL DEFAULT '',
    node_status   TEXT CHECK (node_status IN ('draft', 'committed', 'published')),
    created_at    INTEGER NOT NULL
);
INSERT INTO assets SELECT id, workspace_id, kind, product, name, subtype, detail, code, node_status, created_at FROM assets_old;

CREATE TABLE node_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    node_id       INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    code          TEXT NOT NULL,
    committed_by  TEXT NOT NULL,
    committed_at  INTEGER NOT NULL,
    UNIQUE (node_id, version)
);
INSERT INTO node_versions SELECT id, node_id, version, code, committed_by, committed_at FROM node_versions_old;

CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    workspace_id    INTEGER REFERENCES workspaces(id) ON DELETE SET NULL,
    workspace_name  TEXT NOT NULL,
    node_id         INTEGER UNIQUE REFERENCES assets(id) ON DELETE SET NULL,
    name            TEXT NOT NULL,
    node_version    INTEGER NOT NULL,
    interval_secs   INTEGER NOT NULL,
    price_cents     INTEGER NOT NULL,
    anchor_at       INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('Running', 'Frozen'))
);
INSERT INTO tasks SELECT id, account_id, workspace_id, workspace_name, node_id, name, node_version,
                             interval_secs, price_cents, anchor_at, status FROM tasks_old;

CREATE TABLE user_policies_new (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy   TEXT NOT NULL CHECK (policy IN ('AliyunDataWorksFullAccess', 'AliyunDataWorksReadOnlyAccess')),
    PRIMARY KEY (user_id, policy)
);
INSERT INTO user_policies_new SELECT user_id, policy FROM user_policies;
DROP TABLE user_policies;
ALTER TABLE user_policies_new RENAME TO user_policies;

CREATE TABLE task_running_periods_new (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
INSERT INTO task_running_periods_new SELECT task_id, started_at, ended_at FROM task_running_periods;
DROP TABLE task_running_periods;
ALTER TABLE task_running_periods_new RENAME TO task_running_periods;
CREATE INDEX task_running_periods_by_task ON task_running_periods (task_id);

DROP TABLE tasks_old;
DROP TABLE node_versions_old;
DROP TABLE assets_old;
DROP TABLE workspaces_old;
DROP TABLE users_old;
DROP TABLE accounts_old;

CREATE INDEX workspaces_active ON workspaces (account_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX workspaces_binned ON workspaces (purge_at) WHERE deleted_at IS NOT NULL;
CREATE INDEX assets_by_workspace ON assets (workspace_id, kind, product);
CREATE INDEX tasks_by_account ON tasks (account_id);
CREATE INDEX tasks_by_workspace ON tasks (workspace_id);

-- Sign-in and sign-up throttling: failures per key ("user:acme", "ip:127.0.0.1", "signup:…")
-- within a window, and until when the key is refused.
CREATE TABLE throttle (
    key            TEXT PRIMARY KEY,
    count          INTEGER NOT NULL,
    window_start   INTEGER NOT NULL,
    blocked_until  INTEGER NOT NULL DEFAULT 0
);
