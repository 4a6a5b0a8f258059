import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestApi, type TestApi } from '@test/support/api';
import { makeDevSecrets, type DevSecrets } from '@test/support/dev-secrets';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `Swagger UI browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
}

/** A user explores the API in Swagger UI: authorizes, creates a patient, reads its score. */
(haveChromium ? describe : describe.skip)('Swagger UI in a real browser', () => {
  let secrets: DevSecrets;
  let api: TestApi;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    secrets = await makeDevSecrets();
    api = await startTestApi(secrets);
    // Playwright gives the browser a fresh, throwaway profile.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    });
    // The page is served with the dev CA, which this throwaway browser profile does not know.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    page = await context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await rm(secrets.stateDir, { recursive: true, force: true });
  });

  async function tryItOut(operationId: string, tag: string, id: string, json?: boolean) {
    const block = page.locator(`#operations-${tag}-${operationId}`);
    await block.locator('.opblock-summary').first().click();
    await block.locator('button.try-out__btn').click();
    await block.locator('tr[data-param-name="id"] input').fill(id);
    if (json) {
      await block.locator('.body-param-content-type select').selectOption('application/json');
      // The editor is prefilled with the contract's example: the original's patient.
      await block.locator('.body-param textarea').waitFor();
    }
    await block.locator('button.execute').click();
    const answer = block.locator('.live-responses-table tbody tr.response');
    await answer.waitFor();
    return {
      status: (await answer.locator('.response-col_status').innerText()).trim(),
      body: await answer.locator('.response-col_description pre.microlight').first().innerText(),
    };
  }

  it('creates a patient with "Try it out" and reads its score', async () => {
    const res = await page.goto(`${api.url}/docs`);
    expect(res?.status()).toBe(200);
    await page.locator('.swagger-ui .info .title').waitFor();
    expect(await page.locator('.swagger-ui .info .title').innerText()).toContain(
      'Confidential patient-records API',
    );

    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input[type=text]').fill(await api.token());
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const created = await tryItOut('createPatient', 'patients', 'browser_1', true);
    expect(created.status).toBe('200');
    expect(JSON.parse(created.body)).toMatchObject({
      id: 'browser_1',
      fname: 'Jane',
      ssn: '123-223-2345',
    });

    const score = await tryItOut('getPatientScore', 'scores', 'browser_1');
    expect(score.status).toBe('200');
    expect(JSON.parse(score.body)).toMatchObject({
      id: 'browser_1',
      cci: 2,
      model: 'charlson-age-adjusted@2',
    });

    // The same record, seen through the API directly.
    expect((await api.client.get('/patient/browser_1')).json().lname).toBe('Doe');
  });
});
