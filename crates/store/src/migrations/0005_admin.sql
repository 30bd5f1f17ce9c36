-- Issue 4: admin accounts of the console (central operators and federation admins).

CREATE TABLE admins (
    id {id},
    login TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('central', 'federation')),
    prefecture TEXT,
    -- Argon2id PHC string.
    password_hash TEXT NOT NULL,
    -- The TOTP secret sealed under the server key; never stored in clear.
    totp_sealed {blob} NOT NULL,
    totp_confirmed BIGINT NOT NULL DEFAULT 0,
    totp_last_step BIGINT,
    created_at BIGINT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    CHECK ((role = 'central' AND prefecture IS NULL) OR (role = 'federation' AND prefecture IS NOT NULL))
);
