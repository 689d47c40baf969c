"""The Auth0 Management API integration: the client (the only HTTP code), its error model and
its typed values. Views never import this package; selectors and services do."""

from . import errors
from .client import ManagementClient, all_pages
from .config import get_client
from .types import Member, Organization, Page, RateLimit, Role, User

__all__ = [
    "ManagementClient",
    "Member",
    "Organization",
    "Page",
    "RateLimit",
    "Role",
    "User",
    "all_pages",
    "errors",
    "get_client",
]
