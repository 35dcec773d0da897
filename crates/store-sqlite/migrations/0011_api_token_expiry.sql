-- API tokens expire. Tokens made before this have ninety days from the upgrade.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
UPDATE api_tokens SET expires_at = max(created_at, CAST(strftime('%s', 'now') AS INTEGER) * 1000) + 90 * 86400000;
