"""Building the command spotter's training data (``scripts/train_spotter.py``)."""
