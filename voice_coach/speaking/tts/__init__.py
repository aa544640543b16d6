"""Voices: text in, audio out. Each voice runs its engine on one worker thread of its own."""
