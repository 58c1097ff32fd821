"""Respondent-facing pages: survey, JSON API, withdrawal and sign-up."""
