-- Notifications (通知): one event row per thing that happened (its kind and structured
-- parameters, never frozen text: titles are rendered in each reader's language), an
-- inbox row per recipient, opt-outs per person × kind × channel, a sent-log that keeps
-- reminders idempotent, and outgoing signed webhooks with their delivery log.

CREATE TABLE notification_events (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    params        TEXT NOT NULL,
    link          TEXT,
    -- User ids addressed, as a JSON array (the inbox leaves out those who opted out).
    recipients    TEXT NOT NULL,
    occurred_at   TEXT NOT NULL
);

CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES notification_events (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    read_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX notifications_inbox ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

-- A row switches one kind off on one channel for one person; no row means on.
CREATE TABLE notification_opt_outs (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    channel    TEXT NOT NULL CHECK (channel IN ('in_app', 'email')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind, channel)
);

-- Reminders already sent: (kind, subject, person) once.
CREATE TABLE notification_reminders_sent (
    kind    TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (kind, subject, user_id)
);

CREATE TABLE webhook_endpoints (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    secret     TEXT NOT NULL,
    -- Subscribed kinds, comma separated codes.
    kinds      TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id           INTEGER PRIMARY KEY,
    endpoint_id  INTEGER NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id     INTEGER REFERENCES notification_events (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    status_code  INTEGER,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
