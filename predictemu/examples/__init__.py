"""Real-data examples that ship with predictemu."""
