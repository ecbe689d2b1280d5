-- Training operations (培训运营), first part: venues and instructors as records,
-- plans holding programs, programs with audience, skills, resources, cost lines,
-- transfer goal and completion rule, their dated sessions, enrolments with
-- waitlists, and attendance. Records imported from an old system are programs
-- of status 'historical' with enrolments of source 'imported'.

CREATE TABLE venues (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    site       TEXT NOT NULL DEFAULT '',
    capacity   INTEGER NOT NULL CHECK (capacity > 0),
    kind       TEXT NOT NULL CHECK (kind IN ('classroom', 'workshop', 'lab', 'hall', 'online')),
    equipment  TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE instructors (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    origin      TEXT NOT NULL CHECK (origin IN ('internal', 'external')),
    -- An internal instructor is an employee; an external one comes from a vendor.
    employee_id INTEGER REFERENCES employees (id),
    vendor      TEXT,
    hourly_cost REAL NOT NULL DEFAULT 0 CHECK (hourly_cost >= 0),
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (origin = 'external' OR employee_id IS NOT NULL)
);
CREATE UNIQUE INDEX instructors_employee ON instructors (employee_id) WHERE employee_id IS NOT NULL;

CREATE TABLE instructor_skills (
    instructor_id INTEGER NOT NULL REFERENCES instructors (id),
    skill_id      INTEGER NOT NULL REFERENCES skills (id),
    PRIMARY KEY (instructor_id, skill_id)
);

-- Periods an instructor cannot teach (leave, other duties).
CREATE TABLE instructor_unavailability (
    id            INTEGER PRIMARY KEY,
    instructor_id INTEGER NOT NULL REFERENCES instructors (id),
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    CHECK (ends_at > starts_at)
);
CREATE INDEX instructor_unavailability_instructor ON instructor_unavailability (instructor_id, starts_at);

CREATE TABLE plans (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    -- '2026' or '2026Q3'.
    period     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'approved', 'closed')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE programs (
    id                    INTEGER PRIMARY KEY,
    code                  TEXT NOT NULL UNIQUE,
    title                 TEXT NOT NULL,
    plan_id               INTEGER REFERENCES plans (id),
    need_id               INTEGER REFERENCES training_needs (id),
    -- draft: being prepared; open: self-service enrolment; running: enrolment by
    -- assignment only; closed: finished; historical: imported from an old system.
    status                TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'running', 'closed', 'historical')),
    objectives            TEXT NOT NULL DEFAULT '',
    -- Audience rule as JSON: {"departments":[codes],"positions":[codes],"tags":[..],"employees":[numbers]}.
    audience              TEXT NOT NULL DEFAULT '{}',
    -- Seats; enrolments beyond it wait. NULL: no limit.
    capacity              INTEGER CHECK (capacity > 0),
    hours                 REAL NOT NULL DEFAULT 0 CHECK (hours >= 0),
    credits               REAL NOT NULL DEFAULT 0 CHECK (credits >= 0),
    -- Transfer goal: the KPI should change by transfer_change_pct (signed) within transfer_months of completion.
    transfer_kpi_id       INTEGER REFERENCES kpis (id),
    transfer_change_pct   REAL,
    transfer_months       INTEGER CHECK (transfer_months BETWEEN 1 AND 36),
    -- Completion rule.
    min_attendance_pct    INTEGER NOT NULL DEFAULT 80 CHECK (min_attendance_pct BETWEEN 0 AND 100),
    exam_required         BOOLEAN NOT NULL DEFAULT 0,
    survey_required       BOOLEAN NOT NULL DEFAULT 0,
    -- A learner may cancel until this many hours before the first session.
    cancel_deadline_hours INTEGER NOT NULL DEFAULT 24 CHECK (cancel_deadline_hours >= 0),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL
);
CREATE INDEX programs_plan ON programs (plan_id);
CREATE INDEX programs_status ON programs (status);

CREATE TABLE program_skills (
    program_id INTEGER NOT NULL REFERENCES programs (id),
    skill_id   INTEGER NOT NULL REFERENCES skills (id),
    level      INTEGER NOT NULL CHECK (level BETWEEN 1 AND 10),
    PRIMARY KEY (program_id, skill_id)
);

CREATE TABLE program_resources (
    program_id  INTEGER NOT NULL REFERENCES programs (id),
    resource_id INTEGER NOT NULL REFERENCES resources (id),
    PRIMARY KEY (program_id, resource_id)
);

CREATE TABLE program_instructors (
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    instructor_id INTEGER NOT NULL REFERENCES instructors (id),
    PRIMARY KEY (program_id, instructor_id)
);

CREATE TABLE program_costs (
    id         INTEGER PRIMARY KEY,
    program_id INTEGER NOT NULL REFERENCES programs (id),
    kind       TEXT NOT NULL CHECK (kind IN ('instructor_fee', 'venue', 'materials', 'travel', 'other')),
    amount     REAL NOT NULL CHECK (amount >= 0),
    note       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX program_costs_program ON program_costs (program_id);

CREATE TABLE training_sessions (
    id                 INTEGER PRIMARY KEY,
    program_id         INTEGER NOT NULL REFERENCES programs (id),
    title              TEXT NOT NULL,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('classroom', 'online', 'blended')),
    venue_id           INTEGER REFERENCES venues (id),
    capacity           INTEGER CHECK (capacity > 0),
    join_url           TEXT,
    status             TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    -- The current check-in code and when it stops working.
    checkin_code       TEXT,
    checkin_expires_at TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (ends_at > starts_at),
    CHECK (mode = 'online' OR venue_id IS NOT NULL)
);
CREATE INDEX training_sessions_program ON training_sessions (program_id, starts_at);
CREATE INDEX training_sessions_venue ON training_sessions (venue_id, starts_at);
CREATE INDEX training_sessions_starts ON training_sessions (starts_at);

CREATE TABLE training_session_instructors (
    session_id    INTEGER NOT NULL REFERENCES training_sessions (id),
    instructor_id INTEGER NOT NULL REFERENCES instructors (id),
    PRIMARY KEY (session_id, instructor_id)
);
CREATE INDEX training_session_instructors_instructor ON training_session_instructors (instructor_id);

CREATE TABLE enrollments (
    id            INTEGER PRIMARY KEY,
    program_id    INTEGER NOT NULL REFERENCES programs (id),
    employee_id   INTEGER NOT NULL REFERENCES employees (id),
    source        TEXT NOT NULL CHECK (source IN ('self', 'assigned', 'pushed', 'imported')),
    status        TEXT NOT NULL CHECK (status IN ('enrolled', 'waitlisted', 'cancelled', 'completed', 'incomplete')),
    -- Order on the waitlist: when the learner asked for a seat.
    requested_at  TEXT NOT NULL,
    enrolled_by   INTEGER REFERENCES users (id),
    cancelled_at  TEXT,
    started_on    TEXT,
    completed_on  TEXT,
    hours         REAL CHECK (hours >= 0),
    score         REAL CHECK (score BETWEEN 0 AND 100),
    cost_per_head REAL CHECK (cost_per_head >= 0),
    updated_at    TEXT NOT NULL,
    UNIQUE (program_id, employee_id)
);
CREATE INDEX enrollments_employee ON enrollments (employee_id, status);
CREATE INDEX enrollments_program_status ON enrollments (program_id, status, requested_at);

CREATE TABLE attendance (
    session_id  INTEGER NOT NULL REFERENCES training_sessions (id),
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    status      TEXT NOT NULL CHECK (status IN ('present', 'late', 'absent')),
    method      TEXT NOT NULL CHECK (method IN ('code', 'roll_call', 'generated', 'imported')),
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    PRIMARY KEY (session_id, employee_id)
);
CREATE INDEX attendance_employee ON attendance (employee_id);
