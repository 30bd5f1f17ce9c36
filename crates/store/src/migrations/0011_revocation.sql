-- Issue 10: the CRL and the OCSP responder.
-- Revocation details the CRL can carry: when the key was known to be compromised.
ALTER TABLE certificates ADD COLUMN invalidity_at BIGINT;
-- The publisher counts revoked certificates every few seconds on every node.
CREATE INDEX certificates_status ON certificates (status);

-- One counter per CRL issuer; `UPDATE … RETURNING` takes the next number atomically, so
-- numbers grow whichever node signs.
CREATE TABLE crl_numbers (
    issuer TEXT PRIMARY KEY,
    last BIGINT NOT NULL
);
INSERT INTO crl_numbers (issuer, last) VALUES ('issuing', 0);

-- Signed CRLs; every node serves the one with the highest number.
CREATE TABLE crls (
    issuer TEXT NOT NULL,
    number BIGINT NOT NULL,
    this_update BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    entries BIGINT NOT NULL,
    covered BIGINT NOT NULL,
    der {blob} NOT NULL,
    PRIMARY KEY (issuer, number)
);

-- Delegated OCSP responder certificates with their keys sealed under the server key.
CREATE TABLE ocsp_responders (
    id {id},
    cert_der {blob} NOT NULL,
    sealed_key {blob} NOT NULL,
    not_after BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
