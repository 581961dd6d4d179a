-- The mail outbox: outgoing mail is written in the same transaction as the change
-- that causes it, and delivered afterwards by the dispatcher (to .eml files or
-- over SMTP). A row is pending while it has no sent_at and a next_attempt_at;
-- one that failed for good keeps its last_error and has neither.

CREATE TABLE mail_outbox (
    tenant_id       BLOB NOT NULL REFERENCES tenants (id),
    id              BLOB NOT NULL,
    to_address      TEXT NOT NULL,
    to_name         TEXT,
    subject         TEXT NOT NULL,
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    created_at      TEXT NOT NULL,
    -- Delivery attempts started (a claim counts, so a crash mid-send counts too).
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- When the mail is (next) due; while an attempt runs, when its claim lapses.
    next_attempt_at TEXT,
    sent_at         TEXT,
    -- The transport's message for the last failure (never credentials).
    last_error      TEXT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX mail_outbox_pending_idx ON mail_outbox (tenant_id, next_attempt_at)
    WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL;
