"""The `fruxon` policy pack's program: the engine runs it as `python PACK_DIR ENGINE_ADDRESS`.

The rules are in the installed `pulumi_fruxon` package (`pulumi_fruxon.policy`), so this runs
in a Python that has `pulumi-fruxon[policy]` installed.
"""

import sys

try:
    import pulumi_policy  # noqa: F401  (the policy SDK: the `policy` extra)

    from pulumi_fruxon.policy import serve
except ImportError as missing:
    sys.stderr.write(
        f"The fruxon policy pack needs pulumi-fruxon[policy] in {sys.prefix} ({missing}). "
        "Install it there, or write a pack folder bound to a virtualenv that has it: "
        "`python -m pulumi_fruxon.policy new DIR`.\n"
    )
    sys.exit(1)

serve()
