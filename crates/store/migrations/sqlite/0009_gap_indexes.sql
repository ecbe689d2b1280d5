-- Gap computations look for the latest assessment of each (employee, skill). This index
-- holds the assessments in that order, newest first, with the level, so the latest ones are
-- read from the index alone (the per-group probes of the anti-join and the scan never touch
-- the table). It has the leading columns of assessments_latest, which it replaces, so
-- writes maintain no extra index.
DROP INDEX assessments_latest;
CREATE INDEX assessments_latest_level ON assessments (employee_id, skill_id, assessed_on DESC, id DESC, level);
