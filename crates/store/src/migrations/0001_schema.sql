-- The initial schema, portable between SQLite and PostgreSQL. The id and blob tokens in
-- braces are substituted per database (see dialect.rs). Conventions forced by sqlx's Any driver:
-- enums are TEXT codes, times are BIGINT Unix seconds, flags are BIGINT 0/1.

CREATE TABLE offices (
    id {id},
    number TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    email TEXT,
    -- Two-digit prefecture code ('01'..'47') or NULL.
    prefecture TEXT,
    user_id TEXT NOT NULL UNIQUE,
    login_hash TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 1,
    issuance_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT,
    -- Lets an operator purge stale counters.
    last_failure_at BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    office_id BIGINT REFERENCES offices (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE notices (
    id {id},
    category TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    -- 'all' (value NULL), 'prefecture' (value '13'), 'office' (value: the office id).
    target_kind TEXT NOT NULL CHECK (target_kind IN ('all', 'prefecture', 'office')),
    target_value TEXT,
    start_at BIGINT NOT NULL,
    end_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX notices_target ON notices (target_kind, target_value, start_at);

CREATE TABLE notice_reads (
    office_id BIGINT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (office_id, notice_id)
);

CREATE TABLE applications (
    id {id},
    office_id BIGINT NOT NULL REFERENCES offices (id),
    kind TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    requested_at BIGINT NOT NULL,
    terms_version TEXT NOT NULL,
    consented_at BIGINT NOT NULL,
    sealed_password {blob},
    not_before BIGINT,
    idempotency_key TEXT NOT NULL,
    -- 'office_id:kind' while queued or running, NULL afterwards: the UNIQUE constraint then
    -- allows one waiting application per office and kind (NULLs never collide).
    pending_key TEXT UNIQUE,
    attempts BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    retry_at BIGINT,
    lease_until BIGINT,
    -- No foreign key: certificates already reference applications, and a cycle of foreign
    -- keys cannot be declared portably.
    certificate_id BIGINT,
    -- Scoped by office so that one office can never obtain another's application by
    -- replaying its form token.
    UNIQUE (office_id, idempotency_key),
    CHECK ((state IN ('queued', 'running') AND pending_key IS NOT NULL)
        OR (state IN ('done', 'failed') AND pending_key IS NULL))
);
CREATE INDEX applications_claim ON applications (state, id);
CREATE INDEX applications_office ON applications (office_id, kind);

CREATE TABLE certificates (
    id {id},
    office_id BIGINT NOT NULL REFERENCES offices (id),
    -- UNIQUE: an application yields one certificate, even if two workers finish it.
    application_id BIGINT NOT NULL UNIQUE REFERENCES applications (id),
    kind TEXT NOT NULL,
    serial TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    not_before BIGINT NOT NULL,
    not_after BIGINT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'revoked')),
    revoked_at BIGINT,
    revocation_reason TEXT,
    fingerprint_sha256 TEXT NOT NULL,
    cert_der {blob} NOT NULL,
    pkcs12 {blob} NOT NULL,
    issued_at BIGINT NOT NULL
);
CREATE INDEX certificates_office ON certificates (office_id, kind, status);

CREATE TABLE mail_outbox (
    id {id},
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    retry_at BIGINT,
    lease_until BIGINT,
    last_error TEXT,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_claim ON mail_outbox (state, id);

CREATE TABLE audit_log (
    id {id},
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    source TEXT NOT NULL,
    detail TEXT NOT NULL,
    -- UNIQUE prev_hash: two entries can never follow the same one, so the chain cannot fork
    -- even if the append lock were bypassed.
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL
);
