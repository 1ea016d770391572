"""Teaching tools: learn the criteria, quiz on vignettes, ask what would change a verdict.

Everything here is generic over rulesets: criterion ids, wording and teaching
notes come from the ruleset YAML and the vignette library, never from Python.
"""
