"""voice_coach: a hands-free, voice-guided routine coach that runs offline."""

__version__ = "0.1.0"
