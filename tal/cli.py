"""The `tal` command.

tal serve [--host] [--port] [--demo] | tal load PATH… | tal export SLUG [-o FILE]
tal evaluate FILE_OR_SLUG [--format text|json] | tal pool INTERVENTION_OR_FILE… | tal wording check FILE|-
tal import SLUG --iteration N FILE.csv | tal opendata DIR | tal barometer open|close | tal user create …
tal migrate

Exit status 0 on success, 1 on a user error with a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from pathlib import Path

from tal import cli_messages
from tal.core.errors import DomainError
from tal.settings import SettingsError


class UserError(Exception):
    """A mistake of the user: one line on stderr, exit 1."""


def _parser() -> argparse.ArgumentParser:
    parser = cli_messages.Parser(prog="tal", description="TAL — registre d'expérimentations et journal des apprentissages")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    serve = sub.add_parser("serve", help="démarrer l'application web")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="charger les exemples et créer un compte par rôle")

    load = sub.add_parser("load", help="charger des fichiers tal-experiment/1 (tout ou rien)")
    load.add_argument("paths", nargs="+", type=Path, metavar="CHEMIN")

    export = sub.add_parser("export", help="écrire une expérimentation au format tal-experiment/1")
    export.add_argument("slug")
    export.add_argument("-o", "--output", type=Path, help="fichier de sortie (par défaut : la sortie standard)")

    evaluate = sub.add_parser("evaluate", help="évaluer une expérimentation (fichier ou slug)")
    evaluate.add_argument("target", metavar="FICHIER_OU_SLUG")
    evaluate.add_argument("--format", choices=("text", "json"), default="text")

    pool = sub.add_parser("pool", help="combiner les réplications d'une intervention (méta-analyse)")
    pool.add_argument("targets", nargs="+", metavar="INTERVENTION_OU_FICHIERS")
    pool.add_argument("--format", choices=("text", "json"), default="text")
    wording = sub.add_parser("wording", help="relire la formulation d'un texte du journal")
    wording_sub = wording.add_subparsers(dest="wording_command", required=True, metavar="ACTION")
    wording_check = wording_sub.add_parser("check", help="signaler les phrases qui désignent une personne")
    wording_check.add_argument("source", metavar="FICHIER", help="fichier texte UTF-8, ou - pour l'entrée standard")
    wording_check.add_argument("--lines", action="store_true", help="un texte par ligne")
    wording_check.add_argument("--format", choices=("text", "json"), default="text")

    user = sub.add_parser("user", help="gérer les comptes")
    user_sub = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    create = user_sub.add_parser("create", help="créer un compte")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=("agent", "manager", "committee", "admin"))
    create.add_argument("--service", help="service de rattachement (un service existant)")
    create.add_argument("--create-service", action="store_true", help="créer le service s'il n'existe pas")
    create.add_argument("--name", default="", help="nom affiché")
    create.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")
    user_sub.add_parser("list", help="lister les comptes")
    deactivate = user_sub.add_parser("deactivate", help="désactiver un compte (ses sessions prennent fin)")
    deactivate.add_argument("username")
    reactivate = user_sub.add_parser("reactivate", help="réactiver un compte")
    reactivate.add_argument("username")
    role = user_sub.add_parser("role", help="changer le rôle d'un compte")
    role.add_argument("username")
    role.add_argument("role", choices=("agent", "manager", "committee", "admin"))
    password = user_sub.add_parser("password", help="changer le mot de passe d'un compte (ses sessions prennent fin)")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true", help="lire le mot de passe sur l'entrée standard")

    barometer = sub.add_parser("barometer", help="ouvrir et clôturer les campagnes du baromètre social")
    barometer_sub = barometer.add_subparsers(dest="barometer_command", required=True, metavar="ACTION")
    opening = barometer_sub.add_parser("open", help="ouvrir une campagne (affiche son numéro)")
    opening.add_argument("title", metavar="TITRE")
    opening.add_argument("--services", nargs="+", default=[], metavar="SERVICE", help="services interrogés (par défaut : tous)")
    opening.add_argument("--closes", metavar="AAAA-MM-JJ", help="date de clôture prévue")
    closing = barometer_sub.add_parser("close", help="clôturer une campagne")
    closing.add_argument("campaign_id", metavar="ID")
    imp = sub.add_parser("import", help="importer un fichier CSV de données par unité dans une itération")
    imp.add_argument("slug")
    imp.add_argument("--iteration", type=int, required=True, metavar="N")
    imp.add_argument("file", type=Path, metavar="FICHIER.csv")
    imp.add_argument("--intervention-at", default="", metavar="PÉRIODE", help="avant/après, groupe de comparaison : première période avec le changement")
    imp.add_argument("--treated", action="append", default=[], metavar="UNITÉ", help="groupe de comparaison : unité concernée (répétable)")
    imp.add_argument("--dry-run", action="store_true", help="afficher ce qui serait enregistré, sans rien écrire")

    opendata = sub.add_parser("opendata", help="écrire les fichiers de données ouvertes (CSV, schémas, datapackage.json)")
    opendata.add_argument("folder", type=Path, metavar="DOSSIER")

    sub.add_parser("migrate", help="appliquer les migrations de la base")
    from tal.admin.cli import add_service_parser

    add_service_parser(sub)
    return parser


async def _prepare() -> None:
    from tal import db

    await db.migrate()


def _progress():
    """A progress bar on a terminal (stderr); nothing when the output is not one."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, disable=not console.is_terminal, transient=True)


def _read(path: Path):
    """One file read and checked (in a worker process): the document, or the parts of its
    error (an exception would not cross from the worker with its field)."""
    from tal.core.errors import DomainError
    from tal.experiments import fileformat

    try:
        return fileformat.read(path), None
    except DomainError as exc:
        return None, (type(exc), exc.template, exc.field, exc.params)


def _read_all(paths: list[Path], advance) -> list:
    """Read and check the files, in worker processes (one a core) when there are many:
    parsing needs no database. The first bad file in the files' order is refused."""
    import concurrent.futures
    import multiprocessing

    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < 200 or workers == 1:
        outcomes = []
        for path in paths:
            outcomes.append(_read(path))
            advance()
    else:
        with concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            outcomes = []
            for outcome in pool.map(_read, paths, chunksize=50):
                outcomes.append(outcome)
                advance()
    for doc, error in outcomes:
        if error is not None:
            kind, template, field, params = error
            raise kind(template, field, params or None)
    return [doc for doc, _ in outcomes]


async def _load(paths: list[Path]) -> str:
    from tal import db, loader
    from tal.experiments import fileformat

    paths = fileformat.collect(paths)
    with _progress() as progress:
        reading = progress.add_task("Lecture des fichiers", total=len(paths))
        docs = _read_all(paths, lambda: progress.advance(reading))
        await _prepare()
        saving = progress.add_task("Enregistrement", total=len(docs))
        async with db.transaction():
            results = await loader.load_documents(docs, [str(p) for p in paths],
                                                  lambda done: progress.update(saving, completed=done))
        await db.analyse()
    created = sum(r.created for r in results)
    updated = sum(r.changed and not r.created for r in results)
    unchanged = len(results) - created - updated
    return f"{len(results)} fichier(s) lu(s) : {created} créé(s), {updated} mis à jour, {unchanged} inchangé(s)."


async def _export(slug: str) -> str:
    from tal import db
    from tal.experiments import fileformat, services

    await _prepare()
    async with db.transaction(write=False):
        return fileformat.dumps(await services.export(slug))


async def _create_user(args: argparse.Namespace, password: str) -> str:
    from tal import db
    from tal.admin.services import create_account

    await _prepare()
    async with db.transaction():
        actor = await create_account(args.username, password, role=args.role, service=args.service, display_name=args.name,
                                     create_service=args.create_service, by=None, address=None)
    return f"Compte « {actor.username} » créé (rôle {actor.role}, service {actor.service or 'aucun'})."


async def _change_user(args: argparse.Namespace, password: str | None) -> str:
    """tal user list | deactivate | role | password: each change is in the audit log."""
    from tal import db
    from tal.accounts import services

    await _prepare()
    async with db.transaction():
        if args.user_command == "list":
            return "\n".join(f"{r['username']}\t{r['role']}\t{r['service.name'] or '-'}\t{'actif' if r['active'] else 'inactif'}"
                             for r in await services.list_accounts())
        from tal.admin import services as admin

        if args.user_command == "reactivate":
            done = await admin.reactivate(args.username, by=None, address=None)
            return f"Compte « {args.username} » réactivé." if done else f"Compte « {args.username} » déjà actif."
        if args.user_command == "deactivate":
            done = await admin.deactivate(args.username, by=None, address=None)
            return f"Compte « {args.username} » désactivé." if done else f"Compte « {args.username} » déjà désactivé."
        if args.user_command == "role":
            await admin.set_role(args.username, args.role, by=None, address=None)
            return f"Compte « {args.username} » : rôle {args.role}."
        await services.set_password(args.username, password or "", by=None, address=None)
        return f"Compte « {args.username} » : mot de passe changé, sessions fermées."


async def _demo() -> list[tuple[str, str, str]]:
    from tal import db, demo

    await _prepare()
    async with db.transaction():
        await demo.load_samples()
        from tal.barometer.demo import load_sample_campaigns

        await load_sample_campaigns()
        from tal.committee.demo import load_sample_committee

        await load_sample_committee()
        return await demo.reset_demo_accounts()


def _serve(args: argparse.Namespace) -> None:
    import uvicorn

    from tal.app import create_app

    if args.demo:
        credentials = asyncio.run(_demo())
        print("Comptes de démonstration (mots de passe renouvelés à chaque démarrage --demo) :")
        for username, role, password in credentials:
            print(f"  {username:<8} rôle {role:<10} mot de passe : {password}")
    print(f"TAL : http://{args.host}:{args.port}")
    # Forwarded headers are TAL's to trust or not (FORWARDED_ALLOW_IPS), not uvicorn's.
    uvicorn.run(create_app(pool=True), host=args.host, port=args.port, log_level="warning", proxy_headers=False)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez : ") != first:
        raise UserError("les deux mots de passe diffèrent")
    return first


def _areas() -> None:
    """The areas that give the register what it shows and refreshes (its extensions)."""
    import tal.evaluation.present  # noqa: F401
    import tal.journal.services  # noqa: F401


def run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    _areas()
    if args.command == "serve":
        _serve(args)
    elif args.command == "load":
        print(asyncio.run(_load(args.paths)))
    elif args.command == "export":
        text = asyncio.run(_export(args.slug))
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
    elif args.command == "evaluate":
        from tal.evaluation.cli import evaluate_command

        sys.stdout.write(asyncio.run(evaluate_command(args.target, args.format)))
    elif args.command == "pool":
        from tal.replications.cli import pool_command

        sys.stdout.write(asyncio.run(pool_command(args.targets, args.format)))
    elif args.command == "wording":
        from tal.journal.wording_cli import wording_command

        sys.stdout.write(wording_command(args.source, args.lines, args.format))
    elif args.command == "import":
        from tal.imports.cli import import_command

        print(asyncio.run(import_command(args.slug, args.iteration, args.file, intervention_at=args.intervention_at,
                                         treated_units=args.treated, dry_run=args.dry_run)))
    elif args.command == "opendata":
        from tal.opendata.cli import opendata_command

        print(asyncio.run(opendata_command(args.folder)))
    elif args.command == "user" and args.user_command == "create":
        print(asyncio.run(_create_user(args, _password(args))))
    elif args.command == "user":
        print(asyncio.run(_change_user(args, _password(args) if args.user_command == "password" else None)))
    elif args.command == "barometer":
        from tal.barometer.cli import barometer_command

        print(asyncio.run(barometer_command(args)))
    elif args.command == "service":
        from tal.admin.cli import service_command

        print(asyncio.run(service_command(args)))
    elif args.command == "migrate":
        asyncio.run(_prepare())
        print("Base à jour.")
    return 0


def _os_error(exc: OSError) -> str:
    """A file the system could not open, in French."""
    import errno

    return {errno.ENOENT: "fichier ou dossier introuvable", errno.EACCES: "permission refusée",
            errno.EPERM: "permission refusée", errno.EISDIR: "c'est un dossier, pas un fichier",
            errno.ENOTDIR: "un élément du chemin n'est pas un dossier"}.get(
        exc.errno, "le fichier n'a pas pu être lu ou écrit")


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except (DomainError, UserError, SettingsError) as exc:
        print(f"tal : erreur : {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        where = f"{exc.filename} : " if exc.filename else ""
        print(f"tal : erreur : {where}{_os_error(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    os.environ.setdefault("PICCOLO_CONF", "tal.piccolo_conf")
    sys.exit(main())
