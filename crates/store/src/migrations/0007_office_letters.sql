-- Issue 4: batches of registration / login-reissue letters. The entries (with the generated
-- passwords) are sealed under the server key (AES-256-GCM); a batch is downloadable by the
-- admins of its prefecture until expires_at (72 hours) and then purged.

CREATE TABLE letter_batches (
    id {id},
    kind TEXT NOT NULL CHECK (kind IN ('registration', 'login_reissue')),
    -- '01'..'47', or NULL: visible to central operators only (e.g. a nationwide import).
    prefecture TEXT,
    created_by TEXT NOT NULL,
    office_count BIGINT NOT NULL,
    sealed {blob} NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX letter_batches_expires_at ON letter_batches (expires_at);
