from core.roles import actor_for


def roles(request):
    """`actor` in every template, so the navigation shows each role only what it may use."""
    return {"actor": actor_for(getattr(request, "user", None))}
