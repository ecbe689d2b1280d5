-- Training needs raised by hand, approval chains instantiated from configurable
-- rules, and needs merged into programs.

-- Hand-raised needs: the problem in words when no skill is named, the estimated cost
-- (yuan) the approval rules look at, a wanted-by date, the submission round (each
-- resubmission after a send-back restarts the steps) and the program the need was
-- put into. Needs raised from gaps before approvals existed count as approved.
ALTER TABLE training_needs ADD COLUMN problem TEXT NOT NULL DEFAULT '';
ALTER TABLE training_needs ADD COLUMN estimated_cost REAL CHECK (estimated_cost >= 0);
ALTER TABLE training_needs ADD COLUMN wanted_by TEXT;
ALTER TABLE training_needs ADD COLUMN round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE training_needs ADD COLUMN submitted_at TEXT;
ALTER TABLE training_needs ADD COLUMN program_id INTEGER REFERENCES programs (id);
UPDATE training_needs SET status = 'approved' WHERE status = 'open';
CREATE INDEX training_needs_status ON training_needs (status, created_at);
CREATE INDEX training_needs_program ON training_needs (program_id);
CREATE INDEX training_needs_raised_by ON training_needs (raised_by);

-- The ordered approval rules: every active rule whose condition holds adds its steps
-- (JSON [{"kind": "manager" | "training_admin" | "department_head", "deadline_hours": n}]).
CREATE TABLE approval_rules (
    id         INTEGER PRIMARY KEY,
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    -- NULL: any origin.
    origin     TEXT CHECK (origin IN ('gap', 'employee', 'manager')),
    -- NULL: any cost; otherwise the estimated cost must be at least this.
    min_cost   REAL CHECK (min_cost >= 0),
    steps      TEXT NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT 1
);
INSERT INTO approval_rules (position, name, origin, min_cost, steps, active) VALUES
    (1, '直属经理 → 培训管理员', NULL, NULL,
     '[{"kind":"manager","deadline_hours":72},{"kind":"training_admin","deadline_hours":72}]', 1),
    (2, '费用 ≥ 50,000：部门负责人', NULL, 50000,
     '[{"kind":"department_head","deadline_hours":120}]', 1);

-- A need's approval steps, one set per submission round: a snapshot of the rules at
-- submission, so editing the rules does not change running approvals. Status:
-- waiting (a later step), pending (the current one), approved, rejected, sent_back,
-- cancelled (the round ended before it).
CREATE TABLE need_approval_steps (
    id                   INTEGER PRIMARY KEY,
    need_id              INTEGER NOT NULL REFERENCES training_needs (id),
    round                INTEGER NOT NULL,
    seq                  INTEGER NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('manager', 'training_admin', 'department_head')),
    rule_name            TEXT NOT NULL,
    deadline_hours       INTEGER NOT NULL,
    -- The person asked (manager and department-head steps) and their login; a
    -- training-admin step is for any training admin, so both are NULL there.
    approver_employee_id INTEGER REFERENCES employees (id),
    approver_user_id     INTEGER REFERENCES users (id),
    approver_label       TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'approved', 'rejected', 'sent_back', 'cancelled')),
    activated_at         TEXT,
    due_at               TEXT,
    decided_by           INTEGER REFERENCES users (id),
    -- approver, or delegate when a training admin or system administrator decided in their stead.
    decided_as           TEXT CHECK (decided_as IN ('approver', 'delegate')),
    reason               TEXT NOT NULL DEFAULT '',
    decided_at           TEXT,
    UNIQUE (need_id, round, seq)
);
CREATE INDEX need_approval_steps_pending ON need_approval_steps (status, due_at);
CREATE INDEX need_approval_steps_approver ON need_approval_steps (approver_user_id, status);
