"""Evidence website generator for the systematic review on Digital Government in Peru."""
