-- Issue 12 §3: checkpoints of the audit hash chain, each signed with the audit key and naming
-- the newest record at the time.
CREATE TABLE audit_checkpoints (
    id {id},
    at BIGINT NOT NULL,
    last_id BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    signature {blob} NOT NULL
);
-- The newest checkpoint is read at every interval on every node.
CREATE INDEX audit_checkpoints_last_id ON audit_checkpoints (last_id);
