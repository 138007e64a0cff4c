"""`python -m pulumi_fruxon.provider`: serve the plugin, as `pulumi-resource-fruxon` does."""

from pulumi_fruxon.provider import main

main()
