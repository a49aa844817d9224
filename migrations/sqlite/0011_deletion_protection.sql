-- Deletion protection (SPEC §15): while it is on, the workspace cannot be deleted.
ALTER TABLE workspaces ADD COLUMN deletion_protection INTEGER NOT NULL DEFAULT 0;
