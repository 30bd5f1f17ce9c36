-- Issue 3: the issuance fee ledger and the renewal-notice marks.

CREATE TABLE fee_ledger (
    id {id},
    office_id BIGINT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    entry_kind TEXT NOT NULL CHECK (entry_kind IN ('charge', 'payment', 'correction')),
    -- Signed yen: charges add to the balance, payments subtract.
    amount BIGINT NOT NULL,
    method TEXT CHECK (method IS NULL OR method IN ('transfer', 'offset')),
    note TEXT NOT NULL DEFAULT '',
    certificate_id BIGINT REFERENCES certificates (id),
    at BIGINT NOT NULL
);
CREATE INDEX fee_ledger_office ON fee_ledger (office_id, at);
-- At most one charge per certificate.
CREATE UNIQUE INDEX fee_ledger_charge ON fee_ledger (certificate_id, entry_kind);

CREATE TABLE renewal_notices (
    certificate_id BIGINT PRIMARY KEY REFERENCES certificates (id) ON DELETE CASCADE,
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    sent_at BIGINT NOT NULL
);
