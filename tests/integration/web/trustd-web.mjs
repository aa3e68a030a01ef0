// Drives svopi-trustd's pages in headless Chromium (playwright-core, the
// Debian chromium): registration, login, the own fingerprint, redeeming a
// VUC, revoking the relationship, logout. Settings come from the
// environment (see trustd-web.sh). Exits non-zero on the first failure.
import { chromium } from 'playwright-core';

const env = (k) => {
	const v = process.env[k];
	if (!v) throw new Error(`missing ${k}`);
	return v;
};
const url = env('TD_URL');
const spki = env('TD_SPKI');
const bobFp = env('BOB_FP');
const vuc = env('VUC');
const shot = env('SCREENSHOT');

function check(cond, what) {
	if (!cond) throw new Error(`check failed: ${what}`);
	console.log(`# ok: ${what}`);
}

const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	headless: true,
	args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
		'--no-first-run', '--disable-background-networking',
		'--disable-component-update', '--disable-sync',
		// Trust exactly the test server's key, nothing else.
		`--ignore-certificate-errors-spki-list=${spki}`],
});
let failed = false;
let page;
try {
	const ctx = await browser.newContext();
	page = await ctx.newPage();
	page.setDefaultTimeout(15000);

	// Self-registration.
	let resp = await page.goto(`${url}/register`);
	check(resp.status() === 200, 'registration page');
	await page.getByLabel('Login').fill('dora@example.org');
	await page.getByLabel('Password (at least 8 characters)').fill('dora-secret1');
	await page.getByLabel('Password again').fill('dora-secret1');
	await page.getByRole('button', { name: 'Register' }).click();
	await page.waitForURL(`${url}/account`);
	check(await page.locator('#fingerprint-missing').isVisible(),
		'a new account is not enrolled yet');
	check((await page.locator('#fingerprint-missing').textContent()).includes(
		'No certificate deposited yet'),
		'the page says no certificate is deposited, and how to deposit one');
	const cookies = await ctx.cookies();
	const sc = cookies.find((c) => c.name === 'svopi_session');
	check(sc && sc.httpOnly && sc.secure && sc.sameSite === 'Strict',
		'session cookie is HttpOnly, Secure, SameSite=Strict');
	await page.getByRole('button', { name: 'Log out' }).click();
	await page.waitForURL(`${url}/login`);
	resp = await page.goto(`${url}/account`);
	check(page.url() === `${url}/login`, 'logged out: account redirects to login');

	// A wrong password.
	await page.getByLabel('Login').fill('bob@example.org');
	await page.getByLabel('Password', { exact: true }).fill('wrong-password');
	await page.getByRole('button', { name: 'Log in' }).click();
	check((await page.locator('#message').textContent()).includes('Wrong login'),
		'wrong password is refused');

	// Bob logs in and sees his fingerprint and the pending code.
	await page.getByLabel('Login').fill('bob@example.org');
	await page.getByLabel('Password', { exact: true }).fill('pw-bob');
	await page.getByRole('button', { name: 'Log in' }).click();
	await page.waitForURL(`${url}/account`);
	check((await page.locator('#fingerprint').textContent()) === bobFp,
		'account page shows the reference-certificate fingerprint');
	const today = new Date().toISOString().slice(0, 10);
	check((await page.locator('#deposited').textContent()).startsWith(
		`Deposited on ${today} at `),
		'account page says when the certificate was deposited');
	check(!(await page.locator('#fingerprint-missing').isVisible()),
		'an enrolled account does not read as not deposited');
	const row = page.locator('#relationships tbody tr', { hasText: 'alice@example.org' });
	check((await row.locator('.state').textContent()) === 'pending',
		'relationship with alice is pending');

	// A wrong code, then the right one.
	await page.getByLabel('Who gave you the code').fill('alice@example.org');
	await page.getByLabel('Code', { exact: true }).fill('0000-0001');
	await page.getByRole('button', { name: 'Unlock' }).click();
	check((await page.locator('#message').textContent()).includes('Wrong code. 4 attempts left'),
		'wrong code counts down');
	await page.getByLabel('Who gave you the code').fill('alice@example.org');
	await page.getByLabel('Code', { exact: true }).fill(vuc);
	await page.getByRole('button', { name: 'Unlock' }).click();
	check((await page.locator('#message').textContent()).includes('now trust each other'),
		'the code unlocks the relationship');
	check((await row.locator('.state').textContent()) === 'trusted',
		'relationship with alice is trusted');
	await page.screenshot({ path: shot, fullPage: true });
	console.log(`# screenshot: ${shot}`);

	// Revoke.
	await page.getByRole('button', { name: 'Revoke alice@example.org' }).click();
	check((await page.locator('#message').textContent()).includes('Revoked'),
		'revoked');
	check(await page.locator('#no-relationships').isVisible(),
		'no relationships left');
} catch (e) {
	console.error(`FAIL: ${e.message}`);
	failed = true;
	if (page) {
		console.error(`# at ${page.url()}:`);
		console.error((await page.content().catch(() => '')).slice(0, 3000));
		await page.screenshot({ path: shot.replace(/\.png$/, '-fail.png') })
			.catch(() => {});
	}
} finally {
	await browser.close();
}
process.exit(failed ? 1 : 0);
