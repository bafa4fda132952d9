// `prepare` (npm runs it on `npm install` in this checkout, on `npm pack` and `npm publish`, and
// when the package is installed from git or from a folder): builds dist/ from lib/. A fresh
// checkout has no node_modules, and npm does not install a folder dependency's devDependencies,
// so when TypeScript is missing the locked devDependencies are installed first (`npm ci`).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function hasTypeScript() {
  try {
    createRequire(`${root}/`).resolve('typescript/package.json');
    return true;
  } catch {
    return false;
  }
}

/** Runs the npm that runs this script (or the one on PATH), here, and stops on failure. */
function npm(args) {
  const npmCli = process.env.npm_execpath;
  const [file, argv] = npmCli ? [process.execPath, [npmCli, ...args]] : ['npm', args];
  // The outer npm's settings (`npm_config_*`: global, save, omit…) are for its own install.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^npm_config_/i.test(name) || /^npm_config_(cache|registry|userconfig)$/i.test(name),
    ),
  );
  const result = spawnSync(file, argv, { cwd: root, env, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!hasTypeScript()) {
  console.error(
    `nestjs-google-oauth2: building dist/ needs the devDependencies, which ${root} lacks; installing them (npm ci)`,
  );
  npm(['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline']);
}
npm(['run', 'build']);
