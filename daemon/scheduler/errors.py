"""Errors the scheduler raises for input it cannot work with."""


class SchedulerError(Exception):
    """Base class for scheduler errors."""


class CibInputError(SchedulerError):
    """The CIB could not be read or is not a CIB; the message names file and position."""
