"""appointments write services: each write has one public, keyword-only entry point."""
