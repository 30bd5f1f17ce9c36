-- The セキュリティメールアドレス of an office and the one-time codes mailed to it.
-- Codes are stored only as a salted SHA-256 ('SALT_HEX$HASH_HEX').

CREATE TABLE security_addresses (
    office_id BIGINT PRIMARY KEY REFERENCES offices (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    confirmed_at BIGINT NOT NULL
);

CREATE TABLE one_time_codes (
    office_id BIGINT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    -- 'address' (confirms a new security address) or 'reset' (login password reset).
    purpose TEXT NOT NULL CHECK (purpose IN ('address', 'reset')),
    email TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (office_id, purpose)
);
