"""The console's overview: activity over time, campaigns in flight, numbers in trouble and
the onboarding checklist. Each route is one indexed, aggregated query (no N+1)."""
