"""imports write services."""
