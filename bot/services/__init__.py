"""Services beside the store: schedules, digests, alerts, deliveries. No `telegram` import here."""
