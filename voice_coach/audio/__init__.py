"""Audio: sample buffers, generated sounds, and where audio goes (devices, WAV files)."""
