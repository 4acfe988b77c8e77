import type { Command } from 'commander';
import { list, positiveInteger } from '../cli-options.js';
import { untilInterrupted } from '../until-interrupted.js';

export function registerCodecServerCommand(program: Command): void {
  program
    .command('codec-server')
    .description(
      'Decrypt payloads for the Temporal UI and `temporal workflow show --codec-endpoint` (keys: LLMOS_PAYLOAD_KEYS or LLMOS_PAYLOAD_KEYS_FILE)',
    )
    .option('--port <port>', 'port to listen on', positiveInteger, 8888)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--allowed-origins <origins>', 'comma-separated origins of Temporal UIs that may call it', list, [
      'http://localhost:8233',
    ])
    .option(
      '--auth-token-env <name>',
      'require the bearer token held by this environment variable',
      'LLMOS_CODEC_AUTH_TOKEN',
    )
    .action(async (flags: { port: number; host: string; allowedOrigins: string[]; authTokenEnv: string }) => {
      const [{ payloadKeysFromEnv }, { startCodecServer }] = await Promise.all([
        import('../../workers/payload-encryption.js'),
        import('../../workers/codec-server.js'),
      ]);
      const keys = payloadKeysFromEnv(process.env);
      if (!keys)
        throw new Error('the codec server needs the keys: set LLMOS_PAYLOAD_KEYS or LLMOS_PAYLOAD_KEYS_FILE');
      const authToken = process.env[flags.authTokenEnv]?.trim() || undefined;
      const server = await startCodecServer({
        keys,
        port: flags.port,
        host: flags.host,
        allowedOrigins: flags.allowedOrigins,
        authToken,
      });
      console.log(
        `codec server on ${server.url} (keys ${keys.map((key) => key.id).join(', ')}; ` +
          `${authToken ? `bearer token from ${flags.authTokenEnv}` : 'no token required'}; ` +
          `origins ${flags.allowedOrigins.join(', ')})`,
      );
      console.log(`  temporal workflow show -w <id> --codec-endpoint ${server.url}`);
      await untilInterrupted();
      await server.close();
    });
}
