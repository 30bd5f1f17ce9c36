-- Issue 14: the AIチャット's question log, for improving the help texts. Questions are stored
-- with personal data removed, to the hour, and without the office that asked (only whether it
-- was logged in); the console lists the ones the chat could not answer alone. Kept for a year.
CREATE TABLE assist_questions (
    id {id},
    asked_at BIGINT NOT NULL,
    question TEXT NOT NULL,
    outcome TEXT NOT NULL,
    answer_key TEXT,
    logged_in BIGINT NOT NULL
);
CREATE INDEX assist_questions_outcome ON assist_questions (outcome, id);
CREATE INDEX assist_questions_asked_at ON assist_questions (asked_at);
