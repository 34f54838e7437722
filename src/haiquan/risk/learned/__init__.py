"""Learned fraud score: features, model, metrics, KCS format."""
