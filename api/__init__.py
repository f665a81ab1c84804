"""The integration API: API keys, REST endpoints, bulk upserts and outbound webhooks."""
