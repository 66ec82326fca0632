"""Write docs/lifecycle.md from the claim model's declared state graph, so the document cannot drift.

`manage.py lifecycle_doc` rewrites the file; `manage.py lifecycle_doc --check` exits 1 when it is stale
(`make check` and a test run it).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from takedowns.models import TRANSITIONS, Claim, ClaimState, transition_sources

DOC = Path(settings.BASE_DIR) / "docs" / "lifecycle.md"


def lifecycle_markdown() -> str:
    with translation.override("en"):
        lines = [
            "# The claim lifecycle",
            "",
            "Generated from `takedowns/models.py` by `manage.py lifecycle_doc`; do not edit by hand. Each",
            "transition is declared once on `Claim` (source states, target, who may take it); the services,",
            "the API's `available_transitions`, the portal's buttons and this page all read that declaration.",
            "",
            "```mermaid",
            "stateDiagram-v2",
            f"    [*] --> {ClaimState.DRAFT.value}",
        ]
        for name, transition in TRANSITIONS.items():
            for source in transition_sources(name):
                lines.append(f"    {source} --> {transition.target}: {name}")
        lines += ["```", "", "## States", "", "| state | label |", "|---|---|"]
        lines += [f"| `{value}` | {label} |" for value, label in ClaimState.choices]
        lines += [
            "",
            "## Transitions",
            "",
            "| transition | from | to | who may take it |",
            "|---|---|---|---|",
        ]
        for name, transition in TRANSITIONS.items():
            sources = ", ".join(f"`{s}`" for s in transition_sources(name))
            who = " ".join((transition.permission.__doc__ or transition.permission.__name__).split())
            lines.append(
                f"| `{name}` ({transition.custom['label']}) | {sources} | `{transition.target}` | {who} |"
            )
        lines += [
            "",
            "A caller whose role may never take a transition gets 403; one whose role may, but not from the",
            "claim's current state, gets 409 with the transitions that are available; unmet conditions give 400",
            f"with every problem listed. The model's field `{Claim._meta.get_field('state').name}` is protected:",
            "only these transitions change it.",
            "",
        ]
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Write docs/lifecycle.md from the claim state graph declared on the model (--check: fail if stale)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="exit 1 when docs/lifecycle.md is out of date"
        )

    def handle(self, check: bool, **options):
        text = lifecycle_markdown()
        if check:
            if not DOC.exists() or DOC.read_text() != text:
                raise CommandError("docs/lifecycle.md is out of date: run `manage.py lifecycle_doc`.")
            self.stdout.write("docs/lifecycle.md is up to date.")
            return
        DOC.write_text(text)
        self.stdout.write(f"wrote {DOC}")
