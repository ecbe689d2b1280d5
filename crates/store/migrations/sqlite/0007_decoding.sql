-- Need decoding (业务需求解码): strategy → objectives → department KPI targets →
-- position tasks → required skills. Changes are recorded in the audit log; a change
-- marks the items below it as needing review.
CREATE TABLE strategies (
    id         INTEGER PRIMARY KEY,
    code       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    horizon    TEXT,
    updated_at TEXT NOT NULL
);

CREATE TABLE objectives (
    id           INTEGER PRIMARY KEY,
    strategy_id  INTEGER NOT NULL REFERENCES strategies (id),
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    -- A balanced-scorecard perspective, or NULL for an OKR objective with key results.
    perspective  TEXT CHECK (perspective IN ('financial', 'customer', 'internal_process', 'learning_growth')),
    key_results  TEXT NOT NULL DEFAULT '[]',
    needs_review BOOLEAN NOT NULL DEFAULT 0,
    updated_at   TEXT NOT NULL
);

CREATE TABLE kpi_targets (
    id            INTEGER PRIMARY KEY,
    objective_id  INTEGER NOT NULL REFERENCES objectives (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    kpi_id        INTEGER NOT NULL REFERENCES kpis (id),
    period        TEXT NOT NULL,
    comparator    TEXT NOT NULL CHECK (comparator IN ('<=', '>=')),
    target_value  REAL NOT NULL,
    needs_review  BOOLEAN NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL
);

CREATE TABLE position_tasks (
    id            INTEGER PRIMARY KEY,
    position_id   INTEGER NOT NULL REFERENCES positions (id),
    kpi_target_id INTEGER REFERENCES kpi_targets (id),
    code          TEXT NOT NULL,
    name          TEXT NOT NULL,
    process_step  INTEGER NOT NULL DEFAULT 1,
    needs_review  BOOLEAN NOT NULL DEFAULT 0,
    updated_at    TEXT NOT NULL,
    UNIQUE (position_id, code)
);

CREATE TABLE task_skills (
    task_id        INTEGER NOT NULL REFERENCES position_tasks (id),
    skill_id       INTEGER NOT NULL REFERENCES skills (id),
    required_level INTEGER NOT NULL CHECK (required_level >= 1),
    tier           TEXT NOT NULL CHECK (tier IN ('core', 'support', 'reserve')),
    PRIMARY KEY (task_id, skill_id)
);
