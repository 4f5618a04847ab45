/**
 * The configuration page in Chromium: save and test against the real sidecar through the plugin proxy
 * emulation, a wrong token, the messages data source; the token never comes back to the browser.
 */
import { settle } from './lib/browser';
import { CONFIG_PAGE, Suite } from './lib/suite';

const suite = new Suite();
afterAll(() => suite.close());

async function fresh() {
  const p = await suite.freshPage();
  await p.page.goto(CONFIG_PAGE);
  await p.page.waitForSelector('input[aria-label="Sidecar URL"]');
  await settle(p);
  return p;
}

describe('configuration page', () => {
  it('a wrong token: saved, and the test says the token is the problem', async () => {
    const p = await fresh();
    await p.page.getByLabel('Sidecar URL').fill(suite.info.sidecarUrl);
    await p.page.getByLabel('Token').fill('not-the-token');
    await p.page.getByRole('button', { name: 'Save and test connection' }).click();
    const alert = p.page.getByRole('alert').filter({ hasText: 'Connection failed' });
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toMatch(/token/i);
    await p.context.close();
  });

  it('save and test with the right token; the page shows the token as configured, never its value', async () => {
    const p = await fresh();
    await p.page.getByLabel('Sidecar URL').fill(suite.info.sidecarUrl);
    // The wrong token of the test before is stored: a person resets it to type a new one.
    await p.page.getByRole('button', { name: 'Reset' }).click();
    await p.page.getByLabel('Token').fill(suite.info.token);
    await p.page.getByRole('button', { name: 'Save and test connection' }).click();
    // Grafana's Alert is role=status for success (role=alert for errors only).
    await p.page.getByRole('status').filter({ hasText: 'Connection works' }).waitFor();
    await settle(p);

    // Reloaded, as a person coming back would see it.
    await p.page.reload();
    await p.page.waitForSelector('input[aria-label="Sidecar URL"]');
    await settle(p);
    await expect(p.page.getByLabel('Sidecar URL').inputValue()).resolves.toBe(suite.info.sidecarUrl);
    await expect(p.page.getByRole('button', { name: 'Reset' }).count()).resolves.toBe(1);
    const html = await p.page.content();
    expect(html).not.toContain(suite.info.token);
    expect(p.apiBodies.join('\n')).not.toContain(suite.info.token);

    await p.page.getByRole('button', { name: 'Create or update the messages data source' }).click();
    await p.page
      .getByRole('status')
      .filter({ hasText: /Data source .* (created|updated)/ })
      .waitFor();
    expect(p.errors).toEqual([]);
    await p.context.close();
  });
});
