-- Reconciliation (数据校验): HR figures checked against business-system figures.
-- The absolute difference a KPI tolerates between the two (none when NULL).
ALTER TABLE kpis ADD COLUMN tolerance REAL;

CREATE TABLE reconciliation_items (
    id            INTEGER PRIMARY KEY,
    kpi_id        INTEGER NOT NULL REFERENCES kpis (id),
    employee_id   INTEGER REFERENCES employees (id),
    -- The employee's department, or the department the value belongs to.
    department_id INTEGER NOT NULL REFERENCES departments (id),
    period        TEXT NOT NULL,
    hr_value      REAL NOT NULL,
    business_value REAL NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'accepted_hr', 'accepted_business', 'annotated')),
    note          TEXT,
    decided_by    TEXT,
    decided_at    TEXT,
    created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX reconciliation_items_employee ON reconciliation_items (kpi_id, employee_id, period) WHERE employee_id IS NOT NULL;
CREATE UNIQUE INDEX reconciliation_items_department ON reconciliation_items (kpi_id, department_id, period) WHERE employee_id IS NULL;
CREATE INDEX reconciliation_items_period ON reconciliation_items (period, status);

-- Data-entry rules: who enters a KPI and by which day of the following month.
ALTER TABLE kpis ADD COLUMN responsible_role TEXT;
ALTER TABLE kpis ADD COLUMN responsible_department_id INTEGER REFERENCES departments (id);
ALTER TABLE kpis ADD COLUMN entry_deadline_day INTEGER;
-- How often values are due: every month, or at the end of each quarter (March, June, ...).
ALTER TABLE kpis ADD COLUMN frequency TEXT NOT NULL DEFAULT 'monthly' CHECK (frequency IN ('monthly', 'quarterly'));
