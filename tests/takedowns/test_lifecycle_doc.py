from django.core.management import call_command

from takedowns.management.commands.lifecycle_doc import DOC, lifecycle_markdown
from takedowns.models import TRANSITIONS, transition_sources


def test_it_keeps_the_lifecycle_document_in_step_with_the_model():
    """docs/lifecycle.md is generated from the declared graph; a changed transition without a regenerated
    document fails here (run `manage.py lifecycle_doc`)."""
    call_command("lifecycle_doc", check=True)
    assert DOC.read_text() == lifecycle_markdown()


def test_it_draws_every_declared_edge():
    text = lifecycle_markdown()
    for name, transition in TRANSITIONS.items():
        for source in transition_sources(name):
            assert f"{source} --> {transition.target}: {name}" in text
