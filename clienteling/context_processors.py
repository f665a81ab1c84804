from .selectors.navigation import console_navigation


def console(request):
    if not request.user.is_authenticated:
        return {}
    return {"nav": console_navigation(user=request.user)}
