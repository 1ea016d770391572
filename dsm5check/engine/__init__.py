"""The generic three-valued rule engine: criteria sets (rulesets) parsed from YAML,
node kinds, evaluation, results and the reasons that explain them."""
