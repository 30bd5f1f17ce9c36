-- Issue 4: the console's certificate search, inquiry replies and the audit search.

-- The reply to an inquiry (one per inquiry), who sent it and when; when it was closed.
ALTER TABLE inquiries ADD COLUMN reply_body TEXT;
ALTER TABLE inquiries ADD COLUMN replied_at BIGINT;
ALTER TABLE inquiries ADD COLUMN replied_by TEXT;
ALTER TABLE inquiries ADD COLUMN closed_at BIGINT;
CREATE INDEX inquiries_status ON inquiries (status, created_at);

-- The certificate search by expiry and the lookup by serial prefix.
CREATE INDEX certificates_not_after ON certificates (not_after);

-- The audit search, newest first, by actor or by action.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_at ON audit_log (at);
