"""Demand and cost forecasts from several years of SSDA903 returns (issue 16)."""
