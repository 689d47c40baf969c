"""A stateful stand-in for an Auth0 tenant: the token endpoint and the Management API v2
endpoints adminportal uses, with Auth0's error bodies, scopes, rate limits, eventual
consistency, fault injection and a control API. It imports nothing from Django or `orgs`."""

from .app import Emulator, Request, Response
from .server import EmulatorHTTPServer, serve_in_thread

__all__ = ["Emulator", "EmulatorHTTPServer", "Request", "Response", "serve_in_thread"]
