"""What the desk does with an evaluated case: triage now; replies, reminders and escalation next."""
