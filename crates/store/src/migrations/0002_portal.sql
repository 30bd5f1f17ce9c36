-- Notice attachments (添付ファイル), documents issued to an office (照会一覧) and inquiries
-- (お問い合わせ).

CREATE TABLE notice_attachments (
    id {id},
    notice_id BIGINT NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes {blob} NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX notice_attachments_notice ON notice_attachments (notice_id);

CREATE TABLE office_documents (
    id {id},
    office_id BIGINT NOT NULL REFERENCES offices (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    bytes {blob} NOT NULL,
    size BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX office_documents_office ON office_documents (office_id, created_at);

CREATE TABLE inquiries (
    id {id},
    office_id BIGINT REFERENCES offices (id) ON DELETE SET NULL,
    category TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    reply_to TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'answered', 'closed')),
    created_at BIGINT NOT NULL
);
CREATE INDEX inquiries_office ON inquiries (office_id, created_at);
