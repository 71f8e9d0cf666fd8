-- purpose: draw the next batch id.
-- row:     one row: batch_id.
-- params:  none.
SELECT nextval('batch_id_seq') AS batch_id;
