"""Packs: folders (or zips) of YAML and SQL that add local rules, settings, indicators, policies and scenarios."""
