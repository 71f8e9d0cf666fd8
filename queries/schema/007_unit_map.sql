-- purpose: the unit map (单位对照, DESIGN §1 "Unit identity"): an old name or code of a unit →
--          the unit it is now, so that a history split by a rename, a merge or a new code is one
--          unit again, and a later file still using the old name or code lands on the unit.
-- row:     one mapping written by import batch batch_id (kind 'unit_map'): old_key → new_key.
--          Rolled back with its batch (queries/import/rollback.sql removes it); the rows it
--          moved are restored from the *_replaced tables like any other batch's.
-- units:   none.
-- params:  none.
CREATE TABLE IF NOT EXISTS unit_map (
    old_key   VARCHAR NOT NULL,      -- the unit_key rows were stored under ('code:…' | 'name:…')
    new_key   VARCHAR NOT NULL,      -- the unit_key they belong to now
    old_name  VARCHAR,               -- as the map file names them, for the page and messages
    new_name  VARCHAR,
    batch_id  INTEGER NOT NULL
);
