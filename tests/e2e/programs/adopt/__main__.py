"""Adopt the binding that a config already has, read-only."""

import pulumi

import pulumi_fruxon as fruxon

adopted = fruxon.IntegrationAuth.get("slack", pulumi.Config().require("bindingId"))
pulumi.export("auth_method_id", adopted.auth_method_id)
pulumi.export("granted_scopes", adopted.granted_scopes)
pulumi.export("integration_config_id", adopted.integration_config_id)
