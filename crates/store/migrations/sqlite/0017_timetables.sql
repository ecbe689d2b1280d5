-- The scheduler in the product (智能排期): venue rates and owners, strict venue
-- capacity per program, working calendars (holidays, production peaks, shifts) per
-- department, and draft timetables with one entry per placed session.

ALTER TABLE venues ADD COLUMN hourly_rate REAL NOT NULL DEFAULT 0 CHECK (hourly_rate >= 0);
-- The employee who looks after the venue and hears when its bookings change.
ALTER TABLE venues ADD COLUMN owner_employee_id INTEGER REFERENCES employees (id);
-- When true, a venue smaller than the program's learners is a hard conflict.
ALTER TABLE programs ADD COLUMN strict_venue_capacity BOOLEAN NOT NULL DEFAULT 1;

-- Days (and, for shifts, a daily time range) on which learners are not available.
-- department_id NULL: the whole company.
CREATE TABLE calendar_blocks (
    id            INTEGER PRIMARY KEY,
    starts_on     TEXT NOT NULL,
    ends_on       TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id),
    kind          TEXT NOT NULL CHECK (kind IN ('holiday', 'production_peak', 'shift', 'other')),
    note          TEXT NOT NULL DEFAULT '',
    -- Minutes after local midnight; both NULL: the whole day.
    daily_from    INTEGER CHECK (daily_from BETWEEN 0 AND 1440),
    daily_to      INTEGER CHECK (daily_to BETWEEN 0 AND 1440),
    created_at    TEXT NOT NULL,
    CHECK (ends_on >= starts_on),
    CHECK ((daily_from IS NULL) = (daily_to IS NULL) AND (daily_from IS NULL OR daily_to > daily_from))
);
CREATE INDEX calendar_blocks_days ON calendar_blocks (starts_on, ends_on);

CREATE TABLE timetables (
    id              INTEGER PRIMARY KEY,
    plan_id         INTEGER REFERENCES plans (id),
    program_id      INTEGER REFERENCES programs (id),
    window_from     TEXT NOT NULL,
    window_to       TEXT NOT NULL,
    mode            TEXT NOT NULL CHECK (mode IN ('fresh', 'repair')),
    seed            INTEGER NOT NULL DEFAULT 0,
    time_limit_secs INTEGER NOT NULL CHECK (time_limit_secs BETWEEN 1 AND 60),
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'discarded')),
    -- Hard conflicts and soft cost of the timetable before and after solving.
    baseline_hard   INTEGER NOT NULL DEFAULT 0,
    baseline_soft   INTEGER NOT NULL DEFAULT 0,
    hard            INTEGER NOT NULL DEFAULT 0,
    soft            INTEGER NOT NULL DEFAULT 0,
    -- The solver's cost lines as JSON ([{"key","hard","cost"}]).
    report          TEXT NOT NULL DEFAULT '[]',
    created_by      INTEGER REFERENCES users (id),
    created_at      TEXT NOT NULL,
    published_by    INTEGER REFERENCES users (id),
    published_at    TEXT,
    -- Published although hard conflicts remained ("publish anyway").
    published_with_conflicts BOOLEAN NOT NULL DEFAULT 0,
    CHECK ((plan_id IS NULL) <> (program_id IS NULL)),
    CHECK (window_to >= window_from)
);
CREATE INDEX timetables_status ON timetables (status, id);

-- One placed session of a timetable, with the session as it was when the draft
-- was made (for the diff) and its updated_at (a later change makes the draft stale).
CREATE TABLE timetable_entries (
    timetable_id       INTEGER NOT NULL REFERENCES timetables (id),
    session_id         INTEGER NOT NULL REFERENCES training_sessions (id),
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    venue_id           INTEGER REFERENCES venues (id),
    instructor_id      INTEGER REFERENCES instructors (id),
    pinned             BOOLEAN NOT NULL DEFAULT 0,
    was_starts_at      TEXT NOT NULL,
    was_ends_at        TEXT NOT NULL,
    was_venue_id       INTEGER REFERENCES venues (id),
    was_instructor_id  INTEGER REFERENCES instructors (id),
    session_updated_at TEXT NOT NULL,
    PRIMARY KEY (timetable_id, session_id),
    CHECK (ends_at > starts_at)
);
