"""Offline stand-ins for the systems we integrate with. Never imported by production code."""
