"""The audit log table. Rows are only inserted (and pruned after TAL_AUDIT_DAYS)."""

from piccolo.columns import JSON, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEntry(Table):
    """One event. `account_id` is a plain integer, not a foreign key: an entry
    outlives any change to the account it names."""

    at = Timestamptz(default=TimestamptzNow(), index=True)
    action = Varchar(length=60, index=True)
    account_id = Integer(null=True, default=None, index=True)
    address = Varchar(length=64, null=True, default=None)
    target = Varchar(length=200, default="")
    detail = JSON(default="{}")
