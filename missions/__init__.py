"""Missions (issue 12 item 6): places the office sends volunteers to check."""
