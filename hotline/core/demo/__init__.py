"""Building blocks of the demo data set (`manage.py seed_demo`): a county hotline's organisation,
its dispatch catalogue, request texts, and a year of orders moved through the real services.

Modules: `organisation` (regions, units, users), `topics` (what people call about, and where
it goes), `knowledge` (questions answered at intake, with their answers), `knowledge_base`
(those questions published as the platform's knowledge base; direct answers record their use),
`samples` (built-in texts), `texts` (texts from the shared corpus when present), `people`
(requesters), `clock` (working hours and seasons), `lifecycle` (one order's path as planned steps), `backlog` (what
waits in each queue at the end), `runner` (plans every order, then plays the steps in time
order)."""

# The one password of every demo account; printed by `manage.py demo_logins`.
DEMO_PASSWORD = "demo12345"
