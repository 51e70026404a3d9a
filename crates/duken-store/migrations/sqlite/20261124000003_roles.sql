-- Roles beyond being a buyer (§2): seller staff (of one seller), operator staff, bank and
-- courier staff. Granted and revoked by operator administrators; a revoked role keeps its row
-- (with revoked_at) so the history stays readable; both changes are audited.
CREATE TABLE user_roles (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users(id),
    role          TEXT NOT NULL CHECK (role IN ('seller_owner', 'seller_manager', 'support', 'trust_safety', 'admin', 'bank', 'courier')),
    seller_id     BIGINT REFERENCES sellers(id),
    granted_by    TEXT NOT NULL,
    granted_at    TEXT NOT NULL,
    revoked_at    TEXT,
    CHECK ((role IN ('seller_owner', 'seller_manager')) = (seller_id IS NOT NULL))
);
CREATE INDEX user_roles_user ON user_roles (user_id);
