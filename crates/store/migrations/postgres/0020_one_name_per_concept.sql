-- One name per concept (ARCHITECTURE.md, "Names"): the Kirkpatrick level is "behavior" in
-- every layer, so the ratings table and the notification kind follow it. The audit log is
-- append-only: its past entries keep the names they were written with.
ALTER TABLE behaviour_ratings RENAME TO behavior_ratings;
UPDATE notification_events SET kind = 'behavior_rating_due' WHERE kind = 'behaviour_rating_due';
UPDATE notification_opt_outs SET kind = 'behavior_rating_due' WHERE kind = 'behaviour_rating_due';
UPDATE notification_reminders_sent SET kind = 'behavior_rating_due'
    WHERE kind = 'behaviour_rating_due';
UPDATE webhook_endpoints SET kinds = REPLACE(kinds, 'behaviour_rating_due', 'behavior_rating_due');
