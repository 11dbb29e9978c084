-- Operator accounts of every role (admin, operator, viewer, auditor), kept in the hub database and
-- read by Spring Security's JdbcDaoImpl. A disabled account cannot log in; it is kept, not deleted,
-- so that who did what stays readable. The single role an account holds is in `roles`.
ALTER TABLE operator_account ADD COLUMN enabled BOOLEAN DEFAULT TRUE NOT NULL;
ALTER TABLE operator_account ADD COLUMN changed_at TIMESTAMP;
