-- Issue 13: checks every node makes at start against the shared database. `server_key` holds a
-- known text sealed under the server key of the first node; a node whose key cannot open it
-- refuses to start instead of failing on the first queued application.
CREATE TABLE node_checks (
    name TEXT PRIMARY KEY,
    sealed {blob} NOT NULL,
    created_at BIGINT NOT NULL
);
