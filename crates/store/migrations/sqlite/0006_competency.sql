-- Competency: a skill taxonomy with levels, each position's required skills (its
-- competency model) with a priority tier, and dated assessments of employees.
CREATE TABLE skill_areas (
    id   INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE skills (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    area_id     INTEGER NOT NULL REFERENCES skill_areas (id),
    levels      INTEGER NOT NULL DEFAULT 3 CHECK (levels BETWEEN 2 AND 10),
    -- JSON array with one behavioural description per level.
    descriptors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE position_skills (
    position_id    INTEGER NOT NULL REFERENCES positions (id),
    skill_id       INTEGER NOT NULL REFERENCES skills (id),
    required_level INTEGER NOT NULL CHECK (required_level >= 1),
    tier           TEXT NOT NULL CHECK (tier IN ('core', 'support', 'reserve')),
    PRIMARY KEY (position_id, skill_id)
);

CREATE TABLE assessments (
    id          INTEGER PRIMARY KEY,
    employee_id INTEGER NOT NULL REFERENCES employees (id),
    skill_id    INTEGER NOT NULL REFERENCES skills (id),
    level       INTEGER NOT NULL CHECK (level >= 0),
    score       REAL,
    method      TEXT NOT NULL CHECK (method IN ('exam', 'observation', '360', 'self', 'manager')),
    assessor    TEXT,
    assessed_on TEXT NOT NULL,
    evidence    TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX assessments_latest ON assessments (employee_id, skill_id, assessed_on);
