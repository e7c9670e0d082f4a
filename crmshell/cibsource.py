"""Moved to the `crmshell.cib` package; kept so callers of the old names still import."""

from crmshell.cib.files import FileSource  # noqa: F401
