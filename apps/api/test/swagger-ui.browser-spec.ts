import { CHROMIUM, haveChromium, useBrowserPage } from '@test/support/browser';
import { useTestApi } from '@test/support/test-api';

if (!haveChromium) {
  console.warn(
    `Swagger UI browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`,
  );
}

/** A user explores the API in Swagger UI: authorizes, creates a patient, reads its score. */
(haveChromium ? describe : describe.skip)('Swagger UI in a real browser', () => {
  const api = useTestApi();
  const browser = useBrowserPage();

  async function tryItOut(operationId: string, tag: string, id: string, json?: boolean) {
    const block = browser.page.locator(`#operations-${tag}-${operationId}`);
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
    const res = await browser.page.goto(`${api.url}/docs`);
    expect(res?.status()).toBe(200);
    await browser.page.locator('.swagger-ui .info .title').waitFor();
    expect(await browser.page.locator('.swagger-ui .info .title').innerText()).toContain(
      'Confidential patient-records API',
    );

    await browser.page.locator('button.authorize').first().click();
    await browser.page.locator('.modal-ux input[type=text]').fill(await api.token());
    await browser.page.locator('.modal-ux button.authorize').click();
    await browser.page.locator('.modal-ux button.btn-done').click();

    const created = await tryItOut('createPatient', 'patients', 'browser_1', true);
    expect(created.status).toBe('200');
    expect(JSON.parse(created.body)).toMatchObject({
      id: 'browser_1',
      fname: 'Jane',
      ssn: '123-223-2345',
    });

    const score = await tryItOut('getPatientScore', 'scores', 'browser_1');
    expect(score.status).toBe('200');
    // The example body: diabetes (text and E11.9, counted once), asthma, and I21.0 (infarction).
    expect(JSON.parse(score.body)).toMatchObject({
      id: 'browser_1',
      cci: 3,
      model: 'charlson-age-adjusted@2',
    });

    // The same record, seen through the API directly.
    expect((await api.client.get('/patient/browser_1')).json().lname).toBe('Doe');
  });
});
