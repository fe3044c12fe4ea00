// Drives the csc serve page in Firefox (WebDriver BiDi through puppeteer-core): upload, validate, open a child.
// Run by scripts/check_firefox.sh; prints what the page showed as JSON.
import puppeteer from "puppeteer-core";
import fs from "fs";
const [url, ...files] = process.argv.slice(2);
const browser = await puppeteer.launch({ browser: "firefox", executablePath: "/usr/bin/firefox-esr", headless: true });
const page = await browser.newPage();
const hosts = new Set();
page.on("request", (r) => hosts.add(new URL(r.url()).host));
const errors = [];
page.on("pageerror", (e) => errors.push(String(e)));
await page.goto(url);
const input = await page.$("#input-current");
await input.uploadFile(...files);
await page.waitForFunction((n) => document.querySelectorAll("#files tbody tr").length === n, {}, files.length);
await page.type("#la", "383");
await page.click("#validate");
await page.waitForSelector("#results:not([hidden])", { timeout: 60000 });
const headline = await page.$eval("#headline", (e) => e.textContent);
await page.click("#children tbody button");
await page.waitForSelector("#child:not([hidden])");
const flagged = await page.$$eval("#child-rows td.flagged", (e) => e.length);
console.log(JSON.stringify({ headline, flagged, hosts: [...hosts], errors }));
await browser.close();
