"""Bootstrap: making a cluster from plain hosts (SSH, the remote API, init/join/add/remove/setup)."""
