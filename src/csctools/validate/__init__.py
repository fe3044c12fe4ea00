"""The validation engine: rules in a registry, run over a return, giving an error table and rule outcomes."""
