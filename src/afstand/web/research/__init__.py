"""Researcher pages behind login: monitor, studies, results, coding, focus groups."""
