// A TypeScript program's use of the generated SDK, type-checked with it (never run): the story of
// the README's "Use from any language", in the names a TypeScript user writes.
import * as pulumi from "@pulumi/pulumi";
import * as fruxon from "./index";

const provider = new fruxon.Provider("fruxon", {
    workspace: "my-workspace",
    token: pulumi.secret("fx_pat_example"),
    baseUrl: "https://api.fruxon.com",
    timeout: 120,
});
const opts = { provider };

const salesforce = new fruxon.IntegrationConfig("salesforce", {
    integration: "salesforce",
    displayName: "Salesforce (production)",
    parameters: { instanceUrl: "https://example.my.salesforce.com" },
    secretParameters: pulumi.secret({ clientSecret: "s3cret" }),
    authMethod: "oauth2",
    publish: true,
}, opts);

const consent = new fruxon.AuthorizationUrl("consent", { integration: "salesforce" }, opts);

const auth = new fruxon.IntegrationAuth("auth", {
    integration: "salesforce",
    integrationConfigId: salesforce.configId,
    credentialKey: new pulumi.Config().requireSecret("credentialKey"),
}, opts);

const link = new fruxon.CredentialLink("openai-key", {
    integration: "openai",
    integrationConfigId: salesforce.configId,
    intendedForEmail: "admin@example.com",
    ttlHours: 24,
}, opts);

const tools = fruxon.getIntegrationToolsOutput({ integration: "salesforce" }, { provider });
const configs = fruxon.getIntegrationConfigsOutput({ integration: "salesforce" }, { provider });

export const configId: pulumi.Output<string> = salesforce.configId;
export const live: pulumi.Output<boolean> = auth.live;
export const consentUrl: pulumi.Output<string> = consent.url;
export const linkUrl: pulumi.Output<string> = link.url;
export const toolIds: pulumi.Output<string[]> = tools.tools.apply(found => found.map(tool => tool.id));
export const configCount: pulumi.Output<number> = configs.configs.apply(found => found.length);
