"""The command-line commands besides the conversation: one module per command (and helpers)."""
