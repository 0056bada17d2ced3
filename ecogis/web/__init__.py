"""``ecogis serve``: the screening service (an intranet web page and a JSON API over :func:`ecogis.check.check`).

The app factory is :func:`ecogis.web.app.create_app`; the modules: ``settings`` (what the operator
chooses), ``engine`` (the project read once, checks and their reports), ``store`` (SQLite history,
accounts, batch jobs), ``uploads`` (size limits, type sniffing, safe zip extraction), ``auth``
(passwords, sessions, CSRF, rate limit), ``security`` (headers, body limit), ``routes_api``,
``routes_pages`` and ``batch`` (background batch jobs).
"""
