-- Test mode only (CONSOLE_TEST_CLOCK=1): how far the clock has been advanced, shared by every
-- instance on this database.
CREATE TABLE test_clock (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    offset_secs  INTEGER NOT NULL
);
