-- What a deletion moved into the Recycle Bin, per asset type and product (JSON), so recovery can
-- report it without recounting: binned assets cannot change while they are in the bin.
ALTER TABLE workspaces ADD COLUMN binned_counts TEXT;
