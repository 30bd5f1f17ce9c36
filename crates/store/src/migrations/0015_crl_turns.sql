-- Issue 13: one node at a time signs a generation's CRL. A node takes the turn until a time
-- (a lease, so a node that died mid-publication does not block the others for long), checks
-- again whether the CRL is still due, signs, and gives the turn back; so one change makes one
-- CRL however many nodes notice it.
ALTER TABLE crl_numbers ADD COLUMN turn_until BIGINT;
