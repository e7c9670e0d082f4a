"""The scheduler: a pure function from a CIB document and a time to a transition."""
