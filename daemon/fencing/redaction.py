"""Keeping fence device secrets out of logs, results and reprs.

Fence devices carry passwords, SNMP communities and IPMI keys in their parameters, and an
agent may echo them on error. Anything the fencer logs or records (fencing history is shown
by `status`) goes through here: parameter values of secret-looking names are replaced, and
those values are masked in agent output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

MASK = "*****"
SECRET_WORDS = ("passw", "secret", "token", "community", "key", "_kg", "credential")
MIN_MASKED_LEN = 3      # shorter values would mask ordinary words of the output


def is_secret(name: str, private: Iterable[str] = ()) -> bool:
    """Whether a parameter holds a secret: marked private by the agent's meta-data, or named
    like one (passwd, password, snmp_priv_passwd, community, hexadecimal_kg ...)."""
    lowered = name.lower()
    return name in set(private) or any(word in lowered for word in SECRET_WORDS)


def redacted(params: Mapping[str, str], private: Iterable[str] = ()) -> dict[str, str]:
    private = tuple(private)
    return {k: (MASK if is_secret(k, private) else v) for k, v in params.items()}


def mask_secrets(text: str, params: Mapping[str, str], private: Iterable[str] = ()) -> str:
    """`text` with every secret parameter value replaced."""
    private = tuple(private)
    for name, value in params.items():
        if is_secret(name, private) and len(value) >= MIN_MASKED_LEN:
            text = text.replace(value, MASK)
    return text
