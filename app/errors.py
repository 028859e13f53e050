"""Typed errors a user can cause. ui/ and the CLI render them; bugs are not caught here.

Messages never contain note text, names or key material (convention 9): they say what
went wrong and what to do, referring to rows by id or by the field that failed.
"""

from __future__ import annotations


class ConsultoryError(Exception):
    """Base class: an error the user can act on. ``str(err)`` is the message to show."""


class ValidationError(ConsultoryError):
    """Input failed validation. ``field`` names the offending field for inline display."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class NotFoundError(ConsultoryError):
    """A referenced row does not exist (or was archived/deleted by someone else)."""


class StaleEditError(ConsultoryError):
    """Someone else changed the row since it was loaded (optimistic locking)."""

    def __init__(self, table: str, row_id: int) -> None:
        super().__init__(
            f"This {table} record (#{row_id}) was changed elsewhere since you opened it. "
            "Reload it and apply your change again."
        )
        self.table = table
        self.row_id = row_id


class DataDirError(ConsultoryError):
    """The data directory cannot be created, read or written."""


class DatabaseLockedError(ConsultoryError):
    """Another process holds a write lock on the database for too long."""


class SchemaTooNewError(ConsultoryError):
    """The database was written by a newer Consultory; we refuse to touch it."""


class DamagedDatabaseError(ConsultoryError):
    """The database file fails its integrity check."""


class WrongPassphraseError(ConsultoryError):
    """The passphrase or recovery key did not unlock the key file (or the file is damaged).

    The message never says which, and never contains the secret."""

    def __init__(self) -> None:
        super().__init__("Wrong passphrase or damaged file.")


class PassphraseRequiredError(ConsultoryError):
    """The database is encrypted and no passphrase (or key) was given."""


class NoDatabaseError(PassphraseRequiredError):
    """There is no database yet: one must be created with a new passphrase."""


class ReadOnlyDatabaseError(ConsultoryError):
    """A damaged database was opened read-only; writes are refused until it is restored."""


class BackupError(ConsultoryError):
    """A backup could not be written, or a file offered for restore failed verification."""


class StoreLockedError(ConsultoryError):
    """The encrypted store is locked (auto-lock): unlock it before reading or writing."""
