"""One case or a cohort under several criteria sets: verdicts side by side and
agreement statistics."""
