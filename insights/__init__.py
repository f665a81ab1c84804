"""Insights: next best action feed, sales credit to associates, goals and the store dashboard."""
