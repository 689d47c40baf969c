"""The second concern beside the Auth0 work: who may use adminportal and what they did.

- `access`: a staff member's role (a Django group) and reach (StaffAccess);
- `permissions`: their groups and permissions read once per request;
- `accounts`: saving staff accounts (the Staff pages, `manage.py create_staff`);
- `sso`: single sign-on with the tenant; `sessions`: the session store; `client_address`: who
  signs in from where (django-axes);
- `guardrails`: what no one may do whatever their permissions (their own user, the last holder
  of a protected role, Admin-only and non-organization roles);
- `audit`, `audit_trail`, `owners`: the audit trail, written around every write and read back
  for Activity, CSV and Restore.
"""
