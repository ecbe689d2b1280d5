-- HR sync: dated job history, the outbox of domain events, and password resets.

-- A person's moves: hire, rehire, transfer (department), position_change (a promotion
-- or another position), leave. Written by employee imports and the full sync, in the
-- same transaction as the change itself.
CREATE TABLE job_history (
    id                 INTEGER PRIMARY KEY,
    employee_id        INTEGER NOT NULL REFERENCES employees (id),
    kind               TEXT NOT NULL CHECK (kind IN ('hire', 'rehire', 'transfer', 'position_change', 'leave')),
    from_department_id INTEGER REFERENCES departments (id),
    to_department_id   INTEGER REFERENCES departments (id),
    from_position_id   INTEGER REFERENCES positions (id),
    to_position_id     INTEGER REFERENCES positions (id),
    effective_on       TEXT NOT NULL,
    -- The import's file name (or 'demo'), and who ran it.
    source             TEXT NOT NULL,
    actor              TEXT NOT NULL,
    recorded_at        TEXT NOT NULL
);
CREATE INDEX job_history_employee ON job_history (employee_id, effective_on);

-- The outbox: every job change as an event other contexts read from a cursor (the id).
CREATE TABLE domain_events (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    employee_id INTEGER REFERENCES employees (id),
    payload     TEXT NOT NULL,
    occurred_at TEXT NOT NULL
);
CREATE INDEX domain_events_kind ON domain_events (kind, id);

-- An administrator's forced reset: the hash of a one-time token and its expiry; the
-- account cannot sign in with a password until the token has set a new one.
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_reset_hash TEXT;
ALTER TABLE users ADD COLUMN password_reset_expires_at TEXT;
CREATE UNIQUE INDEX users_password_reset ON users (password_reset_hash);
CREATE INDEX users_employee ON users (employee_id);
