-- Inbound and outbound integration (issue 18, parts 4-7).

-- Part 4: chat platforms. Which system a webhook endpoint is (generic signed JSON,
-- WeCom, DingTalk or Feishu bot) and whether it gets text or a card with a link.
-- Chat bots sign only when their platform gave a secret, so the secret may be empty.
ALTER TABLE webhook_endpoints ADD COLUMN platform TEXT NOT NULL DEFAULT 'generic';
ALTER TABLE webhook_endpoints ADD COLUMN style TEXT NOT NULL DEFAULT 'text';
