"""``ecogis serve`` (the screening service) and ``ecogis serve-user`` (its accounts): thin wrappers of ecogis.web."""
from __future__ import annotations

import os
from pathlib import Path

import click

from ecogis.cli.common import handle_errors
from ecogis.error_messages import error

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def history_option(fn):
    return click.option("--history", metavar="URL", help="Keep accounts and history in PostgreSQL "
                        "(postgresql://user@host/db; password from PGPASSWORD or ~/.pgpass) instead of SQLite in "
                        "--data.")(fn)


@click.command(name="serve")
@click.option("--project", "-p", "project", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Project YAML or GeoPackage; its layers are read once at start (an admin can reload them).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--data", "data_dir", default="ecogis-data", show_default=True, type=click.Path(file_okay=False),
              help="Folder of the history database, accounts, reports and temporary uploads.")
@click.option("--no-auth", is_flag=True, help="No sign-in (one local admin); allowed only on 127.0.0.1 / ::1.")
@click.option("--auth", "auth_mode", type=click.Choice(["password", "proxy"]), default="password", show_default=True,
              help="password: accounts of serve-user; proxy: a reverse proxy signs users in and names them in "
                   "--proxy-header.")
@click.option("--proxy-header", metavar="NAME", help="With --auth proxy: the header holding the user's name "
              "(e.g. X-Remote-User).")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDR",
              help="With --auth proxy: address or network of the proxy (repeatable; default 127.0.0.1 and ::1). "
                   "The header from any other address is ignored.")
@history_option
@click.option("--audits", "audits_dir", type=click.Path(exists=True, file_okay=False),
              help="Folder of audit specs (*.yaml) offered on the audit tab (e.g. scripts); users may also "
                   "upload a spec that reads the project's layers.")
@click.option("--max-upload-mb", default=50, show_default=True, type=click.IntRange(1, 4096),
              help="Largest request body (MB), refused from its declared length before it is read.")
@click.option("--workers", default=4, show_default=True, type=click.IntRange(1, 64), help="Checks running at once.")
@click.option("--timeout", "timeout_s", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="Seconds a single check may run before it is abandoned (HTTP 504); the time it waits "
                   "for a free worker does not count (up to 600 s, then HTTP 503).")
@click.option("--rate", "per_minute", default=60, show_default=True, type=click.IntRange(1, 100000),
              help="Checks per user per minute.")
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser once started.")
@click.option("--results-to", "results_to", metavar="STORE",
              help="Also write every check's results to results tables, as ecogis check --results-to does: "
                   "postgresql://user@host/db (password from PGPASSWORD or pgpass) or results.gpkg; batch jobs "
                   "one row per site in ?table= (default ecogis_batch_sites). A failed write is a warning in "
                   "the response and the log; the check still answers.")
@handle_errors
def serve(project, host, port, data_dir, no_auth, auth_mode, proxy_header, trusted_proxies, history, audits_dir,
          max_upload_mb, workers, timeout_s, per_minute, open_page, results_to, notes):
    """Serve the screening page and JSON API (OpenAPI document at /openapi.json) on PROJECT's layers.

    \b
    Examples:
      ecogis serve --project layers/project.yaml --audits scripts --no-auth --open
      ecogis serve-user add alice --role admin --data /srv/ecogis
      ecogis serve --project /srv/layers/project.yaml --host 0.0.0.0 --port 8000 --data /srv/ecogis
    """
    import logging

    import uvicorn

    from ecogis.web.app import UVICORN_OPTIONS, create_app
    from ecogis.web.history import open_store
    from ecogis.web.settings import MB, ServeSettings

    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    service_log = logging.getLogger("ecogis.web")   # the service's own lines (checks, jobs, start, stop)
    service_log.setLevel(logging.INFO)
    service_log.propagate = False                   # one line each, in the root format, not also ecogis's
    service_log.addHandler(logging.getLogger().handlers[0])
    proxies = {"trusted_proxies": trusted_proxies} if trusted_proxies else {}
    settings = ServeSettings(project=Path(project), data_dir=Path(data_dir), host=host, auth=not no_auth,
                             auth_mode=auth_mode, proxy_header=proxy_header, history=history, **proxies,
                             audits_dir=Path(audits_dir) if audits_dir else None,
                             max_upload=max_upload_mb * MB, workers=workers, check_timeout_s=timeout_s,
                             checks_per_minute=per_minute, warm_up=True, results_to=results_to)
    if results_to:
        from ecogis.store.results_target import parse_results_target

        parse_results_target(results_to)  # a password in the URL or a file that is no .gpkg: refused at start
    if settings.auth and auth_mode == "password" and not open_store(settings.data_dir, history).users():
        raise error("web.no_account", folder=settings.data_dir, hint="web.create_account")
    app = create_app(settings)
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{port}/"
    if open_page:
        import threading
        import webbrowser

        threading.Timer(1.5, webbrowser.open, args=(url,)).start()
    click.echo(f"ecogis serve: {url} (Ctrl-C stops after the running checks)", err=True)
    uvicorn.run(app, host=host, port=port, log_config=None, **UVICORN_OPTIONS)


@click.group(name="serve-user")
def serve_user():
    """Accounts of ``ecogis serve`` (stored hashed with Argon2id in the data folder)."""


@serve_user.command(name="add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "user"]), default="user", show_default=True)
@click.option("--data", "data_dir", default="ecogis-data", show_default=True, type=click.Path(file_okay=False))
@history_option
@handle_errors
def add_user(name, role, data_dir, history, notes):
    """Create or update the account NAME; the password is asked (or read from ECOGIS_PASSWORD)."""
    from ecogis.web.auth import hash_password
    from ecogis.web.history import open_store

    password = os.environ.get("ECOGIS_PASSWORD") or click.prompt("password", hide_input=True,
                                                                 confirmation_prompt=True)
    open_store(Path(data_dir), history).put_user(name, hash_password(password), role)
    click.echo(f"account {name} ({role}) saved in {'the --history database' if history else data_dir}")


@serve_user.command(name="list")
@click.option("--data", "data_dir", default="ecogis-data", show_default=True, type=click.Path(file_okay=False))
@history_option
@handle_errors
def list_users(data_dir, history, notes):
    """List the accounts: name, role, created."""
    from ecogis.web.history import open_store

    for u in open_store(Path(data_dir), history).users():
        click.echo(f"{u['name']}\t{u['role']}\t{u['created']}")
