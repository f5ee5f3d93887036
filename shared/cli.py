"""`smsctl`: the platform's command line (local platform, migrations, generators)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from shared.db.migrate import ROOT

if TYPE_CHECKING:
    from shared.config import Settings
    from shared.local.mail import MailCapture
    from shared.local.runtime import LocalScheduler

app = typer.Typer(help="SMS platform administration.", no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command()
def dev(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: PORT or 8080).")] = None,
) -> None:
    """Run the whole platform locally: embedded services, migrations, demo data, gateway."""
    import os
    import signal

    from shared.config import get_settings
    from shared.local.services import ensure_local_services, stop_local_services

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops everything as Ctrl-C does

    signal.signal(signal.SIGTERM, stop)
    server = scheduler = mail = None
    try:
        started = ensure_local_services()
        for name, url in started.items():
            console.print(f"[green]embedded {name}[/green] {url}")
        from shared.db import migrate
        from shared.local.console import OUT
        from shared.local.seed import seed_demo
        from shared.platform.gateway import serve

        settings = get_settings()
        migrate.upgrade()
        console.print("[green]migrations applied[/green]")
        demo = seed_demo()
        server = serve(host, port or settings.port, console_dir=OUT)
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        base = f"http://{shown}:{server.server_port}"
        # Provider callbacks and links in mail go to the port this run listens on, unless
        # the URLs are set (a tunnel, a proxy).
        for name in ("public_base_url", "app_base_url"):
            if name not in settings.model_fields_set:
                os.environ[name.upper()] = base
        get_settings.cache_clear()
        settings = get_settings()
        mail = _capture_local_mail(settings, base)
        settings = get_settings()
        extra, scheduler = _start_local_runtime(settings.queue_backend)
        if mail is not None:
            extra.append(f"Mail: captured, never delivered; read it at {base}/_local/mail")
        console.print(
            f"\n[bold]SMS platform running at {base}[/bold]"
            f"  (console: {base}/, API reference: {base}/docs, health: {base}/health)\n"
            f"Demo workspace login: [cyan]{demo.email}[/cyan] / [cyan]{demo.password}[/cyan] "
            f"(demo workspace {'created' if demo.created else 'exists'})\n"
            f"Provider callbacks: {settings.public_base_url}\n"
            + "".join(f"{line}\n" for line in extra)
            + "Ctrl-C (or SIGTERM) stops everything; data stays in "
            f"{Path(settings.data_dir).resolve()}.\n"
        )
        server.serve_forever()  # werkzeug's returns on KeyboardInterrupt (Ctrl-C, SIGTERM)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one does not cut the cleanup
        console.print("stopping")
        if scheduler is not None:
            scheduler.stop()
        if mail is not None:
            mail.stop()
        if server is not None:
            server.server_close()
        from shared.queue import set_backend

        set_backend(None)
        stop_local_services()


def _capture_local_mail(settings: Settings, base: str) -> MailCapture | None:
    """In the local environment, with no SMTP server configured: an embedded SMTP sink that
    keeps the mail under DATA_DIR (never in prod or tests)."""
    import os

    from shared.local.mail import MailCapture

    configured = {"smtp_host", "smtp_port"} & settings.model_fields_set
    if settings.environment != "local" or configured:
        return None
    capture = MailCapture(Path(settings.data_dir).resolve(), base).start()
    os.environ["SMTP_HOST"], os.environ["SMTP_PORT"] = "127.0.0.1", str(capture.port)
    from shared.config import get_settings

    get_settings.cache_clear()
    return capture


def _start_local_runtime(queue_backend: str) -> tuple[list[str], LocalScheduler | None]:
    """The durable queue (with the inline backend) after the re-drive of a stopped run's
    work, and the reconciler's schedule. Returns lines for the banner, and the scheduler."""
    from shared.local.runtime import LocalScheduler, start_durable_queue

    if queue_backend != "inline":
        return [], None
    backend, redriven = start_durable_queue()
    line = (
        f"Queue: durable (PostgreSQL); {backend.pending()} job(s) waiting"
        + (f", {backend.released} stopped run(s) re-driven" if backend.released else "")
        + "".join(f", {n} {what}" for what, n in redriven.items() if n)
    )
    return [line], LocalScheduler().start()


@app.command("web")
def web(
    port: Annotated[int, typer.Option(help="Port of `next dev`.")] = 3000,
    api: Annotated[
        str, typer.Option(help="The running gateway that /v1 and /openapi.json go to.")
    ] = "http://127.0.0.1:8080",
) -> None:
    """Run the console with hot reload (`next dev`) against a running gateway."""
    from shared.local import console as web_console

    web_console.ensure_dependencies()
    env = {**web_console.node_env(), "SMSPLAT_API_URL": api, "PORT": str(port)}
    npm = web_console.node_bin("npm")
    console.print(f"console (hot reload) on http://127.0.0.1:{port}, API at {api}")
    args = [npm, "run", "dev", "--", "--port", str(port)]
    subprocess.run(args, cwd=web_console.WEB, env=env, check=False)  # noqa: S603


@app.command("web-build")
def web_build(
    force: Annotated[bool, typer.Option(help="Build even if web/out is up to date.")] = False,
) -> None:
    """Build the console's static export into web/out (only when web/ changed)."""
    from shared.local import console as web_console

    try:
        built = web_console.build(force=force)
    except web_console.ConsoleBuildError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print("console built" if built else "console up to date")


@app.command("web-schema")
def web_schema(
    check: Annotated[bool, typer.Option(help="Fail if the file is out of date.")] = False,
) -> None:
    """Regenerate web/src/api/schema.d.ts (the console's API types) from the registry."""
    from shared.local.console import SCHEMA, render_schema

    rendered = render_schema()
    if check:
        if not SCHEMA.exists() or SCHEMA.read_text() != rendered:
            console.print("[red]web/src/api/schema.d.ts is out of date: run `smsctl web-schema`")
            raise typer.Exit(1)
        console.print("web/src/api/schema.d.ts is up to date")
        return
    SCHEMA.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA.write_text(rendered)
    console.print("wrote web/src/api/schema.d.ts")


@app.command()
def migrate(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations (DATABASE_MIGRATION_URL, else DATABASE_URL, else embedded)."""
    from shared.config import get_settings
    from shared.db import migrate as m

    if not get_settings().migration_url and not get_settings().db_use_connector:
        from shared.local.services import ensure_local_services

        ensure_local_services()
    m.upgrade(revision=revision)
    console.print(f"[green]database at {revision}[/green]")


@app.command()
def openapi(
    out: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the OpenAPI document derived from the registry."""
    from shared.platform.openapi import openapi_document

    text = json.dumps(openapi_document(), indent=2)
    if out:
        out.write_text(text + "\n")
    else:
        sys.stdout.write(text + "\n")


@app.command("terraform-inputs")
def terraform_inputs(
    check: Annotated[bool, typer.Option(help="Fail if the file is out of date.")] = False,
) -> None:
    """Write infra/functions.auto.tfvars.json from the function registry."""
    from shared.platform.terraform import INPUTS_FILE, render_inputs

    path = ROOT / INPUTS_FILE
    rendered = render_inputs()
    if check:
        if not path.exists() or path.read_text() != rendered:
            console.print(f"[red]{INPUTS_FILE} is out of date: run `smsctl terraform-inputs`[/red]")
            raise typer.Exit(1)
        console.print(f"{INPUTS_FILE} is up to date")
        return
    path.write_text(rendered)
    console.print(f"wrote {INPUTS_FILE}")


@app.command("settings-doc")
def settings_doc(
    check: Annotated[bool, typer.Option(help="Fail if the files are out of date.")] = False,
) -> None:
    """Regenerate .env.example and README's settings table from the Settings model."""
    from shared.platform.settings_doc import env_example, with_table

    targets = {
        ROOT / ".env.example": env_example(),
        ROOT / "README.md": with_table((ROOT / "README.md").read_text()),
    }
    stale = [p.name for p, text in targets.items() if p.read_text() != text]
    if check:
        if stale:
            console.print(f"[red]out of date: {', '.join(stale)} (run `smsctl settings-doc`)[/red]")
            raise typer.Exit(1)
        return
    for path, text in targets.items():
        path.write_text(text)
    console.print("settings documented")


@app.command("build-functions")
def build_functions(
    out: Annotated[Path, typer.Option(help="Output folder, one sub-folder per function.")] = Path(
        "dist/functions"
    ),
) -> None:
    """Package each function with shared/ and the locked requirements (for Cloud Build)."""
    from shared import registry

    requirements = subprocess.run(
        ["uv", "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project"],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for spec in registry.FUNCTIONS:
        target = out / spec.name
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for package in ("shared", "functions", "docs"):  # docs/: the guides /docs serves
            shutil.copytree(
                ROOT / package,
                target / package,
                ignore=shutil.ignore_patterns("__pycache__", "local", "cli.py"),
            )
        (target / "requirements.txt").write_text(requirements)
        (target / "main.py").write_text(
            f'"""Entry point of the {spec.name} function (generated)."""\n\n'
            f"from {spec.module} import handler as {spec.entry_point}\n\n"
            f'__all__ = ["{spec.entry_point}"]\n'
        )
        console.print(f"packaged {spec.name} -> {target}")


@app.command()
def worker(
    concurrency: Annotated[
        int | None, typer.Option(help="Handlers running at once (default: 8).")
    ] = None,
) -> None:
    """Run every event and task function from RabbitMQ (QUEUE_BACKEND=rabbitmq)."""
    import signal

    from shared.config import get_settings
    from shared.queue import RegistryDispatcher, rabbitmq, set_backend
    from shared.queue.rabbitmq import RabbitWorker

    if not get_settings().database_url or not get_settings().redis_url:
        from shared.local.services import ensure_local_services

        ensure_local_services()
    consumer = RabbitWorker(
        RegistryDispatcher(), concurrency=concurrency or rabbitmq.WORKER_CONCURRENCY
    )
    signal.signal(signal.SIGTERM, lambda *_: consumer.stop(timeout=0))
    thread = consumer.start_in_thread()
    console.print(f"[green]worker consuming {get_settings().rabbitmq_url.split('@')[-1]}[/green]")
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        console.print("stopping (finishing running handlers)")
    finally:
        consumer.stop()
        set_backend(None)


contacts_app = typer.Typer(help="Contacts: CSV imports.", no_args_is_help=True)
app.add_typer(contacts_app, name="contacts")


def _contacts_database() -> None:
    from shared.config import get_settings

    if not get_settings().database_url and not get_settings().db_use_connector:
        from shared.local.services import ensure_local_services

        ensure_local_services()


def _run_import_with_progress(workspace: str, job_id: str, label: str) -> None:
    """Run (or resume) an import in-process with a progress bar; exit 1 unless completed."""
    import uuid

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from shared.contacts import imports

    tenant_id, job = uuid.UUID(workspace), uuid.UUID(job_id)
    total = imports.get_job_summary(tenant_id, job).bytes_total or 1
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TextColumn("{task.fields[rows]} rows"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(label, total=total, rows=0)

        def advance(state: object) -> None:
            progress.update(
                task,
                completed=getattr(state, "byte_offset", 0),
                rows=f"{getattr(state, 'rows_read', 0):,}",
            )

        status = imports.run_job(tenant_id, job, on_progress=advance)
        if status == "completed":
            progress.update(task, completed=total)
    done = imports.get_job_summary(tenant_id, job)
    console.print(
        f"[{'green' if status == 'completed' else 'red'}]{status}[/]: "
        f"{done.rows_read:,} rows read, {done.rows_created:,} created, "
        f"{done.rows_updated:,} updated, {done.rows_skipped:,} skipped, "
        f"{done.rows_failed:,} failed (import {done.id})"
    )
    if done.error:
        console.print(done.error)
    if status != "completed":
        raise typer.Exit(1)


@contacts_app.command("import")
def import_contacts(
    file: Annotated[Path, typer.Argument(help="The CSV file.", exists=True, dir_okay=False)],
    workspace: Annotated[str, typer.Option(help="Workspace (tenant) id.")],
    update: Annotated[
        bool, typer.Option("--update/--skip", help="Update contacts that exist, or skip them.")
    ] = True,
    tag: Annotated[list[str] | None, typer.Option(help="Tag every imported contact.")] = None,
    region: Annotated[str | None, typer.Option(help="Default region, e.g. US.")] = None,
) -> None:
    """Import contacts from a CSV in-process (the worker's code), with a progress bar."""
    import uuid

    from pydantic import ValidationError

    from shared.contacts import imports
    from shared.contacts.schemas import ImportOptions
    from shared.http.problems import Problem

    _contacts_database()
    try:
        options = ImportOptions(
            on_duplicate="update" if update else "skip", tags=tag or [], default_region=region
        )
        job = imports.create_job(
            uuid.UUID(workspace),
            str(file.resolve()),
            options,
            filename=file.name,
            size=file.stat().st_size,
            enqueue=False,
        )
    except (ValueError, ValidationError, Problem) as exc:
        console.print(f"[red]{getattr(exc, 'detail', None) or exc}[/red]")
        raise typer.Exit(1) from exc
    _run_import_with_progress(workspace, str(job.id), f"importing {file.name}")


@contacts_app.command("resume")
def resume_import(
    job: Annotated[str, typer.Argument(help="The import's id.")],
    workspace: Annotated[str, typer.Option(help="Workspace (tenant) id.")],
) -> None:
    """Finish an import whose worker died (it goes on from its last committed chunk)."""
    from shared.http.problems import Problem

    _contacts_database()
    try:
        _run_import_with_progress(workspace, job, f"resuming {job}")
    except (ValueError, Problem) as exc:
        console.print(f"[red]{getattr(exc, 'detail', None) or exc}[/red]")
        raise typer.Exit(1) from exc


billing_app = typer.Typer(
    help="Billing: the Stripe catalog, meter pushes, drift.", no_args_is_help=True
)
app.add_typer(billing_app, name="billing")


def _stripe_or_exit() -> None:
    from shared.providers.stripe import is_configured

    if not is_configured():
        console.print("[red]Set STRIPE_API_KEY first (in .env or the environment).[/red]")
        raise typer.Exit(1)


@billing_app.command("sync")
def billing_sync() -> None:
    """Create or update Stripe's Billing Meters, Products and Prices from the plans
    (idempotent: a second run changes nothing)."""
    from shared.billing.catalog import sync
    from shared.providers.stripe import StripeCallError

    _stripe_or_exit()
    try:
        changes = sync()
    except StripeCallError as exc:
        console.print(f"[red]Stripe: {exc}[/red]")
        raise typer.Exit(1) from exc
    for change in changes:
        console.print(change)
    console.print(
        "[green]Stripe catalog in sync[/green]" + ("" if changes else ": nothing to change")
    )


@billing_app.command("reconcile")
def billing_reconcile() -> None:
    """Push the usage left behind and compare the period's meters with Stripe's summaries
    (what the hourly billing-reconciler does); exit 1 on drift."""
    from shared.billing.reconcile import sweep

    _stripe_or_exit()
    _contacts_database()
    result = sweep()
    console.print(
        f"pushed for {len(result.pushed)} workspace(s); {len(result.delayed)} delayed "
        f"(Stripe unavailable); {len(result.checks)} meter(s) compared"
    )
    for check in result.drifted:
        console.print(
            f"[red]drift[/red] {check.tenant_id} {check.meter}: Stripe {check.stripe}, "
            f"sent {check.local} ({check.unsent} not sent yet)"
        )
    if result.drifted:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
