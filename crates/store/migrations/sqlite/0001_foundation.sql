-- Foundation: organisation, accounts, sessions, audit log, background jobs.
-- Timestamps are UTC text in one fixed-width format (see DbTime), so they sort as text.

CREATE TABLE departments (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    business_line    TEXT,
    parent_id        INTEGER REFERENCES departments (id),
    path             TEXT NOT NULL,
    head_employee_id INTEGER,
    created_at       TEXT NOT NULL
);
CREATE INDEX departments_path ON departments (path);

CREATE TABLE positions (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    job_family TEXT,
    grade      TEXT
);

CREATE TABLE employees (
    id            INTEGER PRIMARY KEY,
    employee_no   TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    position_id   INTEGER REFERENCES positions (id),
    manager_id    INTEGER REFERENCES employees (id),
    hire_date     TEXT,
    status        TEXT NOT NULL CHECK (status IN ('active', 'on_leave', 'left')),
    city          TEXT,
    phone         TEXT,
    email         TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX employees_department ON employees (department_id);
CREATE INDEX employees_manager ON employees (manager_id);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    employee_id   INTEGER REFERENCES employees (id),
    active        BOOLEAN NOT NULL DEFAULT 1,
    locale        TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE role_grants (
    id            INTEGER PRIMARY KEY,
    user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role          TEXT NOT NULL,
    scope_kind    TEXT NOT NULL CHECK (scope_kind IN ('self', 'department', 'company')),
    department_id INTEGER REFERENCES departments (id),
    -- 'self', 'company' or 'department:<id>': one key so UNIQUE holds despite NULLs.
    scope_key     TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (user_id, role, scope_key)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ip         TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE login_failures (
    id       INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip       TEXT NOT NULL,
    at       TEXT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor_user_id INTEGER,
    actor         TEXT NOT NULL,
    ip            TEXT,
    action        TEXT NOT NULL,
    entity_kind   TEXT NOT NULL,
    entity_id     TEXT,
    before_json   TEXT,
    after_json    TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       TEXT NOT NULL,
    locked_by    TEXT,
    locked_until TEXT,
    last_error   TEXT,
    created_at   TEXT NOT NULL,
    finished_at  TEXT
);
CREATE INDEX jobs_due ON jobs (status, run_at);

CREATE TABLE job_schedules (
    name        TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    recurrence  TEXT NOT NULL,
    next_run_at TEXT NOT NULL
);
