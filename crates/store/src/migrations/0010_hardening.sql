-- Issue 8: one form submission has one effect, however many parallel requests carry it.
-- The key is a hash of the form's one-time token; `result` is what the first request made
-- (e.g. the notice of a reissue), for the requests that come after it.
CREATE TABLE form_submissions (
    submission_key TEXT PRIMARY KEY,
    result BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX form_submissions_created ON form_submissions (created_at);

-- The sweeper purges stale failure counters by their last failure.
CREATE INDEX throttle_last_failure ON throttle (last_failure_at);
