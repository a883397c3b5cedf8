from credstack.organizations.models import Membership
from credstack.organizations.permissions import ACTION_ROLES, can
from credstack.ui.nav import items_for


def workspace(request):
    """`org`, `membership` and `can.<action>` for workspace templates."""
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "org": request.organization,
        "membership": membership,
        "can": {action: can(membership, action) for action in ACTION_ROLES},
        "nav_items": items_for(membership, request.path),
        "my_memberships": Membership.objects.filter(user=request.user)
        .select_related("organization")
        .order_by("organization__name"),
    }
