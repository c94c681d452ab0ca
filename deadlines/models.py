"""Hearings, deadlines and alerts arrive with the deadlines issue."""
