"""The remote API (pcsd's role) and what bootstrap asks of a host: TLS, PAM, tokens, node operations, services."""
