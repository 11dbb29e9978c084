-- Failed logins counted for the throttle (LoginThrottle), per account ('user:<name>') and per client
-- address ('addr:<address>'), shared by every node on this database so that a guesser gets no more
-- tries behind a balancer than from one node, and a restart forgets nothing. Each failure raises
-- `failures` in one UPDATE (or inserts the row); rows older than the throttle's window are deleted.
-- Time is epoch milliseconds of the node's clock, the same on H2 and PostgreSQL.
CREATE TABLE login_failure (
    throttle_key    VARCHAR(300) NOT NULL PRIMARY KEY,
    failures        INTEGER      NOT NULL,
    last_failure_ms BIGINT       NOT NULL
);
CREATE INDEX ix_login_failure_last ON login_failure (last_failure_ms);
