"""``python -m voice_coach`` runs the command-line interface."""

from voice_coach.app.cli import main

raise SystemExit(main())
