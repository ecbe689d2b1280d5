-- Transfer to work (训后转化): after a program, practice tasks are assigned with a due
-- date and a mentor (the learner's manager or a named colleague); the learner reports,
-- the mentor reviews and scores; good reports become cases in the library. Mentors and
-- managers rate the behaviour change they observe at +30 and +90 days (Kirkpatrick L3).

CREATE TABLE practice_tasks (
    id               INTEGER PRIMARY KEY,
    program_id       INTEGER NOT NULL REFERENCES programs (id),
    employee_id      INTEGER NOT NULL REFERENCES employees (id),
    mentor_id        INTEGER NOT NULL REFERENCES employees (id),
    title            TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('assigned', 'submitted', 'returned', 'reviewed')),
    score            INTEGER CHECK (score BETWEEN 0 AND 100),
    -- The library case this task's report was promoted into.
    case_resource_id INTEGER REFERENCES resources (id),
    assigned_by      INTEGER REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (program_id, employee_id, title)
);
CREATE INDEX practice_tasks_employee ON practice_tasks (employee_id, status);
CREATE INDEX practice_tasks_mentor ON practice_tasks (mentor_id, status);
CREATE INDEX practice_tasks_due ON practice_tasks (status, due_on);

-- Every report a learner submits for a task, with the mentor's decision on it; a
-- returned report stays in the history next to its resubmission.
CREATE TABLE practice_reports (
    id           INTEGER PRIMARY KEY,
    task_id      INTEGER NOT NULL REFERENCES practice_tasks (id),
    body         TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    decision     TEXT CHECK (decision IN ('accepted', 'returned')),
    score        INTEGER CHECK (score BETWEEN 0 AND 100),
    review       TEXT,
    reviewed_by  INTEGER REFERENCES users (id),
    reviewed_at  TEXT
);
CREATE INDEX practice_reports_task ON practice_reports (task_id, id);

-- One rating of observed behaviour change per learner, program, rater and checkpoint
-- (30 or 90 days after completion); rows are scheduled on completion and on
-- assignment, and filled in by the rater.
CREATE TABLE behaviour_ratings (
    id              INTEGER PRIMARY KEY,
    program_id      INTEGER NOT NULL REFERENCES programs (id),
    employee_id     INTEGER NOT NULL REFERENCES employees (id),
    rater_id        INTEGER NOT NULL REFERENCES employees (id),
    rater_role      TEXT NOT NULL CHECK (rater_role IN ('manager', 'mentor')),
    checkpoint_days INTEGER NOT NULL CHECK (checkpoint_days IN (30, 90)),
    due_on          TEXT NOT NULL,
    rating          INTEGER CHECK (rating BETWEEN 1 AND 5),
    observation     TEXT,
    rated_at        TEXT,
    UNIQUE (program_id, employee_id, rater_id, checkpoint_days)
);
CREATE INDEX behaviour_ratings_rater ON behaviour_ratings (rater_id, due_on);
CREATE INDEX behaviour_ratings_program ON behaviour_ratings (program_id, checkpoint_days);
