-- A key's quota: at most quota requests per calendar quota_period ('day' or 'month', UTC); both NULL: none.
ALTER TABLE api_keys ADD COLUMN quota BIGINT;
ALTER TABLE api_keys ADD COLUMN quota_period VARCHAR(8);
