-- Times are Unix seconds (UTC) from the server's injectable clock.
CREATE TABLE accounts (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at  INTEGER NOT NULL
);

-- Every principal is a user of one account; the account's root has is_root = 1 and the account's name.
CREATE TABLE users (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL COLLATE NOCASE,
    is_root        INTEGER NOT NULL DEFAULT 0,
    password_hash  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE user_policies (
    user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    policy   TEXT NOT NULL CHECK (policy IN ('AliyunDataWorksFullAccess', 'AliyunDataWorksReadOnlyAccess')),
    PRIMARY KEY (user_id, policy)
);

-- A workspace with deleted_at set is a Recycle Bin entry; it keeps its binned assets until purged.
CREATE TABLE workspaces (
    id             INTEGER PRIMARY KEY,
    account_id     INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name           TEXT NOT NULL COLLATE NOCASE,
    display_name   TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    data_modeling  INTEGER NOT NULL DEFAULT 0,
    created_by     TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    deleted_at     INTEGER,
    deleted_by     TEXT,
    purge_at       INTEGER,
    UNIQUE (account_id, name)
);
CREATE INDEX workspaces_active ON workspaces (account_id, created_at) WHERE deleted_at IS NULL;
CREATE INDEX workspaces_binned ON workspaces (purge_at) WHERE deleted_at IS NOT NULL;

-- Every asset of a workspace, in DataWorks or its PAI workspace.
-- kind: data_source | compute | node | resource | di_task | model | metric
CREATE TABLE assets (
    id            INTEGER PRIMARY KEY,
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
CREATE INDEX assets_by_workspace ON assets (workspace_id, kind, product);

CREATE TABLE node_versions (
    id            INTEGER PRIMARY KEY,
    node_id       INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    code          TEXT NOT NULL,
    committed_by  TEXT NOT NULL,
    committed_at  INTEGER NOT NULL,
    UNIQUE (node_id, version)
);

-- Auto triggered tasks. An orphan has lost its workspace (workspace_id NULL) but keeps its name and bills on.
CREATE TABLE tasks (
    id              INTEGER PRIMARY KEY,
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
CREATE INDEX tasks_by_account ON tasks (account_id);
CREATE INDEX tasks_by_workspace ON tasks (workspace_id);

-- The task's Running periods; cost is derived from them.
CREATE TABLE task_running_periods (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER
);
CREATE INDEX task_running_periods_by_task ON task_running_periods (task_id);
