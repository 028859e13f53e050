"""Consultory: the Qt-free core (domain, storage, services, CLI)."""

__version__ = "0.1.0"
APP_NAME = "Consultory"
