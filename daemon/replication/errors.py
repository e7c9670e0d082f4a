"""Why an update could not be replicated."""


class NotConnected(Exception):
    """A write was asked for while corosync is not there (or went away before ordering
    it): nothing can be ordered, so nothing is applied; reads still work."""
