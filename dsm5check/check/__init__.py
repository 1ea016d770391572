"""The `check` front end: many case files or streams, evaluated and rendered in order."""
