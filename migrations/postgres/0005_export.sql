-- "Download a copy" reads a workspace's assets kind by kind in id order, a batch at a time: this
-- index makes each batch a range read instead of a scan and sort of the whole workspace.
CREATE INDEX assets_by_kind_id ON assets (workspace_id, kind, id);
