"""The service layer: plain Python, no Reflex imports. Pages, the HTTP API and the relay all
go through these functions (the seed's tRPC router)."""
