"""The canonical serialisation of a pre-registered plan and its SHA-256.

Canonical form: the plan (`schemas.plan_of`) as JSON, UTF-8, keys sorted, no
spaces, defaults written out, floats as msgspec writes them. Anyone can check a
plan: download `/api/v1/experiments/<slug>/plan.json` and compute
`sha256sum` of its bytes; it must equal the hash shown on the page.
"""

from __future__ import annotations

import hashlib

import msgspec

from tal.experiments.schemas import ExperimentFile, plan_of

_encoder = msgspec.json.Encoder(order="sorted")


def canonical_plan(doc: ExperimentFile) -> bytes:
    return _encoder.encode(plan_of(doc))


def plan_hash(doc: ExperimentFile) -> str:
    return hashlib.sha256(canonical_plan(doc)).hexdigest()


def describe_changes(old: ExperimentFile, new: ExperimentFile) -> str:
    """A short French list of what changed between two plans, for amendments."""
    before, after = plan_of(old), plan_of(new)
    lines: list[str] = []
    for part, label in (("hypotheses", "hypothèse"), ("metrics", "indicateur"), ("arms", "bras")):
        old_items = {item["key"]: item for item in before[part]}
        new_items = {item["key"]: item for item in after[part]}
        for key in new_items.keys() - old_items.keys():
            lines.append(f"{label} « {key} » ajouté(e)")
        for key in old_items.keys() - new_items.keys():
            lines.append(f"{label} « {key} » retiré(e)")
        for key in sorted(old_items.keys() & new_items.keys()):
            for field, value in new_items[key].items():
                if old_items[key].get(field) != value:
                    lines.append(f"{label} « {key} », {field} : {old_items[key].get(field)} → {value}")
    if before["design"] != after["design"]:
        lines.append(f"design : {before['design']} → {after['design']}")
    return " ; ".join(sorted(lines)) or "aucun changement du plan"
