-- Performance data: KPI definitions and their values per employee or department and period.
-- An employee's grade (职级) travels with the person, not with the position.
ALTER TABLE employees ADD COLUMN grade TEXT;

CREATE TABLE kpis (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    unit          TEXT,
    direction     TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
    aggregation   TEXT NOT NULL CHECK (aggregation IN ('sum', 'mean', 'rate')),
    source_system TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- One value per KPI, subject (employee or department), month and source; 'hr' and
-- 'business' figures for the same cell are what reconciliation compares.
CREATE TABLE kpi_values (
    id            INTEGER PRIMARY KEY,
    kpi_id        INTEGER NOT NULL REFERENCES kpis (id),
    employee_id   INTEGER REFERENCES employees (id),
    department_id INTEGER REFERENCES departments (id),
    period        TEXT NOT NULL,
    value         REAL NOT NULL,
    source        TEXT NOT NULL CHECK (source IN ('hr', 'business', 'import')),
    entered_by    TEXT NOT NULL,
    entered_at    TEXT NOT NULL,
    CHECK ((employee_id IS NULL) <> (department_id IS NULL))
);
CREATE UNIQUE INDEX kpi_values_employee ON kpi_values (kpi_id, employee_id, period, source) WHERE employee_id IS NOT NULL;
CREATE UNIQUE INDEX kpi_values_department ON kpi_values (kpi_id, department_id, period, source) WHERE department_id IS NOT NULL;
CREATE INDEX kpi_values_period ON kpi_values (kpi_id, period);
