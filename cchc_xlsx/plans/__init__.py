"""Plan input: the plan YAML loader, Vietnamese phrase parsers, unit lists, summaries."""
