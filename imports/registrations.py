"""What imports adds to the registries below it."""

from clienteling.registry import RolePermissions, role_permissions

# Company Admins hold every imports permission (the admin's upload page and its jobs); no console role does.
role_permissions.register(RolePermissions("imports"))
