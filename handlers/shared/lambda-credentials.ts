import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import { chain, memoize } from '@smithy/core/config';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The credential chain of the bundled handlers, put in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, by an esbuild alias in scripts/bundle-handlers.js).
 *
 * In Lambda the function's execution role credentials are in the environment, the default chain's
 * first link: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 * Where a runtime serves them over HTTP instead (SnapStart: AWS_CONTAINER_CREDENTIALS_FULL_URI and
 * AWS_CONTAINER_AUTHORIZATION_TOKEN, https://docs.aws.amazon.com/lambda/latest/dg/snapstart-activate.html),
 * the container link takes them, as in the default chain. The links left out (profiles, SSO,
 * credential process, web identity token file, EC2 instance metadata) never apply inside a function
 * and were about 90 KB of each bundle, parsed at every cold start.
 *
 * Same contract as the default provider: a provider of the client's init, cached until five
 * minutes before expiry (the default chain's `credentialsTreatedAsExpired`).
 */
export const defaultProvider = (init: Parameters<typeof fromHttp>[0] & Parameters<typeof fromEnv>[0] = {}): AwsCredentialIdentityProvider =>
  // fromHttp is created at the first call that reaches it: it throws at creation when no container
  // credentials URI is set, which ends the chain with that reason.
  memoize(chain(fromEnv(init), async () => fromHttp(init)()), credentialsTreatedAsExpired, credentialsWillNeedRefresh);

export const credentialsWillNeedRefresh = (credentials: AwsCredentialIdentity): boolean => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials: AwsCredentialIdentity): boolean =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
