"""Storage: everything kept about a person, behind the store (SQLite on a patient's machine)."""
