"""Case input and output: reading YAML/JSON/JSONL documents with positions, the
case model, validation and the cross-checks of one case (timelines, ruleset facts)."""
