"""Speech recognition: recognisers behind one port, each restricted to the phrases that make
sense in the session's current state."""
