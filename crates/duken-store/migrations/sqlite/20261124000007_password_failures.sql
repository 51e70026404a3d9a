-- Failed password sign-ins, to slow down guessing per number and per address (§2).
CREATE TABLE password_failures (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    phone         TEXT NOT NULL,
    ip            TEXT NOT NULL,
    at            TEXT NOT NULL
);
CREATE INDEX password_failures_phone ON password_failures (phone, at);
CREATE INDEX password_failures_ip ON password_failures (ip, at);
