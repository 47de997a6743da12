"""A local emulator of the Google Sheets API v4 (plus the Drive v3 and OAuth2 parts that
gspread and google-auth use), for testing the Google sheet backend over real HTTP."""

from .auth import ServiceAccount, generate_service_account
from .client import credentials, emulator_session, gspread_client, route_to_emulator
from .edits import Edit
from .emulator import Emulator

__all__ = [
    "Edit",
    "Emulator",
    "ServiceAccount",
    "credentials",
    "emulator_session",
    "generate_service_account",
    "gspread_client",
    "route_to_emulator",
]
