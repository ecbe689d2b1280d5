-- Exams (考试): a question bank per skill, exam papers drawn from it by difficulty,
-- attempts that keep the questions as drawn, automatic and manual grading.

CREATE TABLE exam_questions (
    id          INTEGER PRIMARY KEY,
    skill_id    INTEGER NOT NULL REFERENCES skills (id),
    kind        TEXT NOT NULL CHECK (kind IN ('single_choice', 'multiple_choice', 'true_false', 'fill_in', 'short_answer')),
    -- 1 easy, 2 medium, 3 hard.
    difficulty  INTEGER NOT NULL CHECK (difficulty BETWEEN 1 AND 3),
    stem        TEXT NOT NULL,
    -- JSON array of option texts (choice kinds only).
    options     TEXT NOT NULL DEFAULT '[]',
    -- JSON array: option letters, "true"/"false", accepted fill-in texts, or a
    -- reference answer for graders.
    answers     TEXT NOT NULL DEFAULT '[]',
    points      REAL NOT NULL CHECK (points > 0),
    explanation TEXT NOT NULL DEFAULT '',
    active      BOOLEAN NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX exam_questions_skill ON exam_questions (skill_id, active, difficulty);

CREATE TABLE exams (
    id                 INTEGER PRIMARY KEY,
    code               TEXT NOT NULL UNIQUE,
    title              TEXT NOT NULL,
    -- NULL: a standalone exam anyone may take.
    program_id         INTEGER REFERENCES programs (id),
    purpose            TEXT NOT NULL CHECK (purpose IN ('pre_test', 'post_test', 'final')),
    skill_id           INTEGER NOT NULL REFERENCES skills (id),
    -- How many questions each attempt draws per difficulty.
    draw_easy          INTEGER NOT NULL DEFAULT 0 CHECK (draw_easy >= 0),
    draw_medium        INTEGER NOT NULL DEFAULT 0 CHECK (draw_medium >= 0),
    draw_hard          INTEGER NOT NULL DEFAULT 0 CHECK (draw_hard >= 0),
    time_limit_minutes INTEGER NOT NULL CHECK (time_limit_minutes BETWEEN 1 AND 600),
    pass_mark_pct      INTEGER NOT NULL CHECK (pass_mark_pct BETWEEN 0 AND 100),
    max_attempts       INTEGER NOT NULL DEFAULT 1 CHECK (max_attempts BETWEEN 1 AND 20),
    -- Hours a learner waits after a failed attempt before the next one.
    retake_wait_hours  INTEGER NOT NULL DEFAULT 0 CHECK (retake_wait_hours >= 0),
    status             TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX exams_program ON exams (program_id, purpose);

CREATE TABLE exam_attempts (
    id            INTEGER PRIMARY KEY,
    exam_id       INTEGER NOT NULL REFERENCES exams (id),
    employee_id   INTEGER NOT NULL REFERENCES employees (id),
    attempt_no    INTEGER NOT NULL CHECK (attempt_no >= 1),
    -- Seed of the draw, so a paper can be explained later.
    seed          INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    deadline_at   TEXT NOT NULL,
    submitted_at  TEXT,
    -- in_progress, then grading while short answers wait for a person, then graded.
    status        TEXT NOT NULL DEFAULT 'in_progress' CHECK (status IN ('in_progress', 'grading', 'graded')),
    score         REAL,
    max_score     REAL NOT NULL CHECK (max_score > 0),
    score_pct     REAL CHECK (score_pct BETWEEN 0 AND 100),
    passed        BOOLEAN,
    assessment_id INTEGER REFERENCES assessments (id),
    UNIQUE (exam_id, employee_id, attempt_no)
);
CREATE INDEX exam_attempts_employee ON exam_attempts (employee_id, exam_id);
CREATE INDEX exam_attempts_status ON exam_attempts (status, deadline_at);

-- The questions of one attempt as they were drawn, with the learner's response.
CREATE TABLE exam_attempt_items (
    attempt_id  INTEGER NOT NULL REFERENCES exam_attempts (id),
    position    INTEGER NOT NULL,
    question_id INTEGER NOT NULL REFERENCES exam_questions (id),
    kind        TEXT NOT NULL,
    difficulty  INTEGER NOT NULL,
    stem        TEXT NOT NULL,
    options     TEXT NOT NULL,
    answers     TEXT NOT NULL,
    points      REAL NOT NULL,
    -- JSON array like answers; NULL while unanswered.
    response    TEXT,
    awarded     REAL,
    graded_by   INTEGER REFERENCES users (id),
    graded_at   TEXT,
    PRIMARY KEY (attempt_id, position)
);
CREATE INDEX exam_attempt_items_grading ON exam_attempt_items (kind, awarded);
