"""The remote API (pcsd's role): TLS on port 2224, PAM for the password, tokens after that.

Kept import-free: the shell's client imports `daemon.remote.client` and must stay light.
"""
