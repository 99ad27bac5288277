import * as http from 'http';
import type { AddressInfo } from 'net';
import { defaultProvider } from '../../handlers/shared/lambda-credentials';

// The bundled handlers' credential chain (aliased in place of the SDK's default chain by
// scripts/bundle-handlers.js): the environment first, then the container credentials endpoint.
const NAMES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_AUTHORIZATION_TOKEN'];
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
beforeEach(() => {
  for (const n of NAMES) delete process.env[n];
});
afterAll(() => {
  for (const [n, v] of Object.entries(saved)) if (v === undefined) delete process.env[n]; else process.env[n] = v;
});

test('the execution role credentials Lambda puts in the environment', async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDENV', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
  await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'AKIDENV', secretAccessKey: 'secret', sessionToken: 'token' });
});

test('the container credentials endpoint when the runtime serves them over HTTP; cached until near expiry', async () => {
  const seen: Array<string | undefined> = [];
  const expiration = new Date(Date.now() + 3_600_000).toISOString();
  const server = http.createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ AccessKeyId: 'AKIDHTTP', SecretAccessKey: 's', Token: 't', Expiration: expiration }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    Object.assign(process.env, {
      AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`,
      AWS_CONTAINER_AUTHORIZATION_TOKEN: 'container-token',
    });
    const provider = defaultProvider();
    const first = await provider();
    expect(first).toMatchObject({ accessKeyId: 'AKIDHTTP', sessionToken: 't' });
    expect(first.expiration?.toISOString()).toBe(expiration);
    await provider();
    expect(seen).toEqual(['container-token']);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

test('neither: the chain fails with the reason of its last link', async () => {
  await expect(defaultProvider()()).rejects.toThrow(/AWS_CONTAINER_CREDENTIALS_FULL_URI/);
});
