-- API keys, stored only as hashes. Times are epoch milliseconds (portable across SQLite and PostgreSQL).
CREATE TABLE api_keys (
  id             VARCHAR(40)   NOT NULL PRIMARY KEY,
  key_hash       VARCHAR(64)   NOT NULL UNIQUE,
  display_prefix VARCHAR(16)   NOT NULL,
  owner_id       VARCHAR(200)  NOT NULL,
  name           VARCHAR(200),
  scopes         VARCHAR(4000) NOT NULL,
  rate_limit     INTEGER,
  created_at     BIGINT        NOT NULL,
  expires_at     BIGINT,
  revoked_at     BIGINT,
  last_used_at   BIGINT
);
CREATE INDEX api_keys_owner ON api_keys (owner_id);
