"""Accounts, services and sign-in."""
