"""HTTP routes mounted beside Reflex (via ``api_transformer``) on the same origin/port."""
