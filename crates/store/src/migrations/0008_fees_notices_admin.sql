-- Issue 4 §3–4: who entered each fee ledger entry and the payment date (入金日); who wrote a
-- notice, and its withdrawal (取下げ: offices no longer see it, the row is kept).

ALTER TABLE fee_ledger ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE fee_ledger ADD COLUMN paid_on BIGINT;

ALTER TABLE notices ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN withdrawn_at BIGINT;
ALTER TABLE notices ADD COLUMN withdrawn_by TEXT;
