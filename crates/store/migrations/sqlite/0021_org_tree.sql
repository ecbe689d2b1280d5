-- The organisation as a maintained tree: departments get a cost center, a site, a
-- status (closed departments are kept, with their successor), deputies beside the head,
-- and a dated history of changes; positions can be retired.

ALTER TABLE departments ADD COLUMN cost_center TEXT;
ALTER TABLE departments ADD COLUMN site TEXT;
ALTER TABLE departments ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'closed'));
ALTER TABLE departments ADD COLUMN closed_on TEXT;
ALTER TABLE departments ADD COLUMN successor_id INTEGER REFERENCES departments (id);

-- Deputies of a department's head, in order of precedence.
CREATE TABLE department_deputies (
    department_id INTEGER NOT NULL REFERENCES departments (id),
    employee_id   INTEGER NOT NULL REFERENCES employees (id),
    seq           INTEGER NOT NULL,
    PRIMARY KEY (department_id, employee_id)
);
CREATE INDEX department_deputies_employee ON department_deputies (employee_id);

-- Every change to a department, with the date it takes effect.
CREATE TABLE department_changes (
    id            INTEGER PRIMARY KEY,
    department_id INTEGER NOT NULL REFERENCES departments (id),
    kind          TEXT NOT NULL
        CHECK (kind IN ('created', 'updated', 'moved', 'leadership', 'merged', 'closed')),
    effective_on  TEXT NOT NULL,
    detail        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX department_changes_department ON department_changes (department_id, id);

ALTER TABLE positions ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'retired'));
ALTER TABLE positions ADD COLUMN retired_on TEXT;
