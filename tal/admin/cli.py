"""`tal service create|rename|merge|archive|list`: the admin service functions from the
command line (no account, no address in the audit log)."""

from __future__ import annotations

import argparse


def add_service_parser(sub) -> None:
    service = sub.add_parser("service", help="gérer les services")
    actions = service.add_subparsers(dest="service_command", required=True, metavar="ACTION")
    actions.add_parser("list", help="lister les services")
    create = actions.add_parser("create", help="créer un service")
    create.add_argument("name", metavar="NOM")
    rename = actions.add_parser("rename", help="renommer un service (partout où il est nommé)")
    rename.add_argument("name", metavar="NOM")
    rename.add_argument("new_name", metavar="NOUVEAU_NOM")
    merge = actions.add_parser("merge", help="fusionner SOURCE dans CIBLE (comptes, expérimentations, entrées)")
    merge.add_argument("source", metavar="SOURCE")
    merge.add_argument("target", metavar="CIBLE")
    archive = actions.add_parser("archive", help="archiver un service (il n'est plus proposé)")
    archive.add_argument("name", metavar="NOM")


async def service_command(args: argparse.Namespace) -> str:
    from tal import db
    from tal.admin import services

    await db.migrate()
    async with db.transaction():
        command = args.service_command
        if command == "list":
            return "\n".join(f"{s.name}\t{s.accounts} compte(s)\t{s.experiments} expérimentation(s)"
                             f"{chr(9) + 'archivé' if s.archived else ''}" for s in await services.list_services())
        if command == "create":
            name = await services.create_service(args.name, by=None, address=None)
            return f"Service « {name} » créé."
        if command == "rename":
            await services.rename_service(args.name, args.new_name, by=None, address=None)
            return f"Service « {args.name} » renommé « {args.new_name.strip()} »."
        if command == "merge":
            moved = await services.merge_services(args.source, args.target, by=None, address=None)
            return (f"Service « {args.source} » fusionné dans « {args.target} » : {moved['accounts']} compte(s), "
                    f"{moved['experiments']} expérimentation(s), {moved['entries']} entrée(s) du journal.")
        await services.set_service_archived(args.name, True, by=None, address=None)
        return f"Service « {args.name} » archivé."
