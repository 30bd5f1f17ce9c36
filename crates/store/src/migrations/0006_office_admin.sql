-- Issue 4: what the console keeps about an office beyond the portal's needs: its postal
-- address (for the registration letters) and its lifecycle status.

ALTER TABLE offices ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE offices ADD COLUMN address TEXT NOT NULL DEFAULT '';
-- 'active', 'suspended' (cannot log in) or 'closed' (廃止: certificates revoked).
ALTER TABLE offices ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended', 'closed'));
CREATE INDEX offices_prefecture ON offices (prefecture, number);
