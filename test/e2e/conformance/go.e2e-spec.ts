/**
 * Go's golang.org/x/oauth2/google (Debian's golang-golang-x-oauth2-google-dev, built offline in
 * GOPATH mode) against the emulator: every flow of test/conformance/go, which docs/emulator.md
 * shows. Under CI=true a missing Go toolchain or package fails this suite.
 */
import { beforeAll, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithRequirement } from '../../support/describe-with-server.js';
import {
  CONFORMANCE_DIR,
  goClient,
  goEnvironment,
  runFlow,
  setUpConformance,
  SUBJECT,
  type FlowResult,
} from './external-clients.js';

const go = goClient();
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

describeWithRequirement(
  go.requirement,
  "Go's golang.org/x/oauth2/google against the emulator",
  () => {
    const setup = setUpConformance();
    const { emulator, tokenInfo } = setup;
    let binary: string;

    beforeAll(async () => {
      binary = join(setup.dir, 'conformance');
      await promisify(execFile)(go.command!, ['build', '-o', binary, '.'], {
        cwd: join(CONFORMANCE_DIR, 'go'),
        env: { ...goEnvironment(), GOCACHE: join(tmpdir(), 'nestjs-google-oauth2-go-cache') },
        timeout: 170_000,
      });
    }, 180_000);

    const flow = (name: string, extra: NodeJS.ProcessEnv = {}): Promise<FlowResult> =>
      runFlow(binary, [name], { ...setup.env, ...extra });

    it('JWTConfigFromJSON: a token for the key’s account', async () => {
      emulator.resetCounts();
      const { code, output } = await flow('service_account_token');
      expect(output).toEqual({ token: expect.stringMatching(/^ya29\./) });
      expect(code).toBe(0);
      expect(await tokenInfo(output.token)).toMatchObject({
        azp: setup.key.client_id,
        scope: CLOUD_PLATFORM,
      });
      expect(emulator.requestCount('token')).toBe(1);
    });

    it('JWTConfigFromJSON with Subject: a domain user’s token when delegation is granted', async () => {
      const { output } = await flow('delegated_token');
      expect(await tokenInfo(output.token)).toMatchObject({
        azp: setup.key.client_id,
        email: SUBJECT,
      });
    });

    it('JWTConfigFromJSON with Subject: a RetrieveError unauthorized_client when it is not', async () => {
      const { code, output } = await flow('delegated_token', {
        KEY_FILE: setup.undelegatedKeyFile,
      });
      expect(code).toBe(1);
      expect(output).toEqual({
        error: '*oauth2.RetrieveError',
        message: expect.stringMatching(/401 Unauthorized[\s\S]*unauthorized_client/),
      });
    });

    it('config.Client: userinfo as the domain user', async () => {
      const { output } = await flow('userinfo_as_user');
      expect(output).toMatchObject({ email: SUBJECT, verified_email: true, hd: 'corp.example' });
    });

    it('ComputeTokenSource: the metadata server’s account and token', async () => {
      const { output } = await flow('compute_token');
      expect(await tokenInfo(output.token)).toMatchObject({
        azp: emulator.defaultServiceAccount.client_id,
        scope: CLOUD_PLATFORM,
      });
    });

    it('FindDefaultCredentials finds the metadata server and its project', async () => {
      const { output } = await flow('application_default');
      expect(output.project_id).toBe(emulator.defaultServiceAccount.project_id);
      expect(await tokenInfo(output.token)).toMatchObject({
        azp: emulator.defaultServiceAccount.client_id,
      });
    });
  },
);
