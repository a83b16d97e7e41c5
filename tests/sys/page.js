// The status page in a real browser (tests/sys/page.bats): Debian's
// chromium, headless, driven by puppeteer-core.
//
//   node page.js PORT USER PASS OUTDIR NAME=STATE...
//
// Loads http://127.0.0.1:PORT/, finds every NAME in its STATE, stops
// "worker" and sees it STOPPED without a reload, follows "talker"'s log
// while a line is sent to its stdin (XML-RPC sendProcessStdin), sees
// POSTs without the token or from another origin refused, and saves
// OUTDIR/page.png.  Prints one line per step; exits 0 when all passed.
"use strict";

const puppeteer = require("puppeteer-core");

const [port, user, pass, outdir, ...want] = process.argv.slice(2);
const base = "http://127.0.0.1:" + port;
const auth = "Basic " + Buffer.from(user + ":" + pass).toString("base64");
const STEP = 15000;

// The whole run is bounded: a hang fails instead of blocking bats.
setTimeout(() => {
	console.log("FAIL: timed out");
	process.exit(2);
}, 90000).unref();

function ok(what) {
	console.log("ok: " + what);
}

// The state of a row, as the page spells it.
function stateOf(page, name) {
	return page.$eval('tr[data-name="' + name + '"] .st',
	    (e) => e.textContent);
}

// An XML-RPC call with string parameters.
async function rpc(method, ...params) {
	const body = "<?xml version=\"1.0\"?><methodCall><methodName>" +
	    method + "</methodName><params>" + params.map((p) =>
	    "<param><value><string>" + p + "</string></value></param>")
	    .join("") + "</params></methodCall>";
	const r = await fetch(base + "/RPC2", { method: "POST", body: body,
	    headers: { "Content-Type": "text/xml", Authorization: auth } });
	return r.text();
}

async function main(browser) {
	const page = await browser.newPage();
	let r;

	page.setDefaultTimeout(STEP);
	await page.setViewport({ width: 1100, height: 700 });
	await page.authenticate({ username: user, password: pass });
	r = await page.goto(base + "/", { waitUntil: "load" });
	if (r.status() !== 200)
		throw new Error("GET / answered " + r.status());
	for (const w of want) {
		const [name, state] = w.split("=");
		const got = await stateOf(page, name);
		if (got !== state)
			throw new Error(name + " is " + got + ", not " + state);
	}
	ok("every service with its state: " + want.join(" "));

	// Live: the events stream is open; a stop shows without a reload.
	await page.waitForFunction(() =>
	    document.getElementById("live").textContent === "live");
	await page.evaluate(() => { window.notReloaded = 1; });
	await page.click('tr[data-name="worker"] button[value="stop"]');
	await page.waitForFunction(() => document.querySelector(
	    'tr[data-name="worker"] .st').textContent === "STOPPED");
	if (!await page.evaluate(() => window.notReloaded === 1))
		throw new Error("the page was reloaded");
	const cls = await page.$eval('tr[data-name="worker"] .st',
	    (e) => e.className);
	if (cls !== "st st-STOPPED")
		throw new Error("worker's state has class " + cls);
	const msg = await page.$eval("#msg", (e) => e.textContent);
	if (!msg.includes("worker: STOPPING"))
		throw new Error("the action said: " + msg);
	ok("stop: worker became STOPPED live (" + msg + ")");

	// The log view follows: a line sent now shows, as text.
	await page.click('tr[data-name="talker"] a.log');
	await page.waitForFunction(() => document.getElementById("vp")
	    .textContent.includes("talker-started"));
	const line = "line-" + Date.now() + " <b>not bold</b>";
	const res = await rpc("supervisor.sendProcessStdin", "talker",
	    line.replace(/</g, "&lt;") + "\n");
	if (!res.includes("<boolean>1</boolean>"))
		throw new Error("sendProcessStdin: " + res);
	await page.waitForFunction((l) => document.getElementById("vp")
	    .textContent.includes(l), {}, line);
	if (await page.$("#vp b") !== null)
		throw new Error("the log was not escaped");
	ok("log: followed a line as it came");

	// The process view: the session as warden ps draws it.
	await page.click('tr[data-name="talker"] a.ps');
	await page.waitForFunction(() => document.getElementById("vp")
	    .textContent.includes("session "));
	ok("ps: " + (await page.$eval("#vp", (e) => e.textContent))
	    .split("\n")[0]);

	// Without the token, the same origin is refused.
	r = await page.evaluate(async () => {
		const x = await fetch("/action", { method: "POST",
		    body: new URLSearchParams({ name: "web", verb: "stop" }) });
		const t = await x.text();
		return x.status + (t.includes("refused") ? " refused" : t);
	});
	if (r !== "403 refused")
		throw new Error("a POST without token got " + r);
	ok("a POST without the token: " + r);

	// From another origin (a page of its own, as an attacker's would
	// be), even with the token: refused, and nothing stopped.
	const token = await page.$eval('input[name="token"]', (e) => e.value);
	const evil = await browser.newPage();
	evil.setDefaultTimeout(STEP);
	await evil.authenticate({ username: user, password: pass });
	await evil.setContent("<html><body>elsewhere</body></html>");
	const nav = evil.waitForNavigation();
	await evil.evaluate((action, tok) => {
		const f = document.createElement("form");
		f.method = "post";
		f.action = action;
		for (const [k, v] of [["token", tok], ["name", "web"],
		    ["verb", "stop"]]) {
			const i = document.createElement("input");
			i.type = "hidden";
			i.name = k;
			i.value = v;
			f.appendChild(i);
		}
		document.body.appendChild(f);
		f.submit();
	}, base + "/action", token);
	r = await nav;
	const text = await evil.evaluate(() => document.body.textContent);
	if (r.status() !== 403 || !text.includes("refused"))
		throw new Error("a POST from elsewhere got " + r.status());
	await evil.close();
	if (await stateOf(page, "web") !== "RUNNING")
		throw new Error("web was stopped from another origin");
	ok("a POST from another origin: 403");

	await page.screenshot({ path: outdir + "/page.png", fullPage: true });
	ok("screenshot " + outdir + "/page.png");
}

(async () => {
	const browser = await puppeteer.launch({
		executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--no-sandbox", "--headless=new", "--disable-gpu",
		    "--disable-dev-shm-usage", "--no-first-run"],
		timeout: STEP
	});
	let rc = 0;

	// For bats to end it by its pid, whatever happens to us.
	require("fs").writeFileSync(outdir + "/browser.pid",
	    String(browser.process().pid) + "\n");
	try {
		await main(browser);
	} catch (e) {
		console.log("FAIL: " + e.message);
		rc = 1;
	}
	await browser.close();
	process.exit(rc);
})();
