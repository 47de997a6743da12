"""What the desk does with an evaluated case, beyond the policy engine. Pure, except loading data.

- `priority`: P1-P4 from rules kept as data (`data/triage.yaml`);
- `templates` / `render` / `context` / `replies`: Suggested Reply and Seller Message from the
  team's Templates tab (defaults in `data/templates.yaml`), rendered in a locked-down sandbox;
- `reminders`: when an evidence reminder is due;
- `escalation`: levels as data (`data/escalation.yaml`), each announced once per case;
- `notices`: what to tell people (routed and delivered by `app.notify`);
- `workflow`: one call per case that ties them together for the sync planner;
- `triage`: next action and due time.
"""
