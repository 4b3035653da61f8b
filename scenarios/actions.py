"""Municipal actions. Each is registered by name in scenarios/registry.py (filled in by the municipal-actions work)."""
