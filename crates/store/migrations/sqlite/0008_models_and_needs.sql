-- A position's competency model is derived from its tasks' skill requirements
-- ('tasks'); a requirement edited or imported directly ('manual') wins over the derived one.
ALTER TABLE position_skills ADD COLUMN source TEXT NOT NULL DEFAULT 'manual' CHECK (source IN ('tasks', 'manual'));

-- How far each KPI target is from being met, refreshed from the KPI values: gaps in
-- skills that serve a missed target weigh more (weight factor 1 + shortfall).
ALTER TABLE kpi_targets ADD COLUMN actual_value REAL;
ALTER TABLE kpi_targets ADD COLUMN shortfall REAL;
ALTER TABLE kpi_targets ADD COLUMN progress_at TEXT;

-- Re-importing the same assessments changes nothing.
CREATE UNIQUE INDEX assessments_identity ON assessments (employee_id, skill_id, assessed_on, method);

-- Training needs (培训需求): raised by an employee, a manager, or from competency gaps; a
-- need from gaps carries the decoding chain (strategy → objective → target → task) that
-- justifies it.
CREATE TABLE training_needs (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL,
    skill_id      INTEGER REFERENCES skills (id),
    origin        TEXT NOT NULL CHECK (origin IN ('gap', 'employee', 'manager')),
    audience      TEXT NOT NULL CHECK (audience IN ('person', 'team', 'position')),
    department_id INTEGER REFERENCES departments (id),
    position_id   INTEGER REFERENCES positions (id),
    urgency       TEXT NOT NULL CHECK (urgency IN ('low', 'normal', 'high')),
    reason        TEXT NOT NULL,
    chain         TEXT NOT NULL DEFAULT '[]',
    status        TEXT NOT NULL DEFAULT 'open',
    raised_by     INTEGER REFERENCES users (id),
    created_at    TEXT NOT NULL
);
CREATE INDEX training_needs_skill ON training_needs (skill_id, status);

CREATE TABLE training_need_people (
    need_id      INTEGER NOT NULL REFERENCES training_needs (id),
    employee_id  INTEGER NOT NULL REFERENCES employees (id),
    gap          INTEGER,
    weighted_gap REAL,
    PRIMARY KEY (need_id, employee_id)
);
CREATE INDEX training_need_people_employee ON training_need_people (employee_id);
